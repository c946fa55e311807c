package transfer

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"

	"yeonsok/internal/access"
	"yeonsok/internal/apperror"
	"yeonsok/internal/database"
)

// UploadLifetime is how long an uploaded file waits for its apply.
const UploadLifetime = time.Hour

// Uploads keeps the files of a previewed import until it is applied, each
// upload with the scope of whoever uploaded it: only the same scope gets it
// back, so a token that reaches another agency applies nothing.
type Uploads struct {
	db *database.DB
}

// NewUploads returns the upload store on db.
func NewUploads(db *database.DB) *Uploads { return &Uploads{db: db} }

// Put keeps files uploaded in scope and returns the token that fetches them.
// Uploads older than UploadLifetime are dropped on the way.
func (u *Uploads) Put(ctx context.Context, scope access.Scope, files []File) (string, error) {
	var random [16]byte
	if _, err := rand.Read(random[:]); err != nil {
		return "", fmt.Errorf("transfer: upload token: %w", err)
	}
	token := hex.EncodeToString(random[:])
	now := time.Now().UTC()
	err := u.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM import_uploads WHERE created_at < $1`, now.Add(-UploadLifetime).Format(database.TimeLayout)); err != nil {
			return fmt.Errorf("transfer: drop old uploads: %w", err)
		}
		for i, f := range files {
			if _, err := tx.ExecContext(ctx, `INSERT INTO import_uploads (token, seq, file_name, data, created_at, all_agencies, agency_id)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				token, i, f.Name, f.Data, now.Format(database.TimeLayout), scope.IsAll(), scope.AgencyID()); err != nil {
				return fmt.Errorf("transfer: keep upload %s: %w", f.Name, err)
			}
		}
		return nil
	})
	return token, err
}

// Get returns the files kept under token for the scope that uploaded them,
// or not_found when there are none (never uploaded, uploaded in another
// scope, already applied, or expired): another scope's upload is not
// revealed to exist.
func (u *Uploads) Get(ctx context.Context, scope access.Scope, token string) ([]File, error) {
	since := time.Now().UTC().Add(-UploadLifetime).Format(database.TimeLayout)
	rows, err := u.db.Read.QueryContext(ctx, `SELECT file_name, data FROM import_uploads
		WHERE token = $1 AND created_at >= $2 AND all_agencies = $3 AND agency_id = $4 ORDER BY seq`,
		token, since, scope.IsAll(), scope.AgencyID())
	if err != nil {
		return nil, fmt.Errorf("transfer: read upload: %w", err)
	}
	defer rows.Close()
	var files []File
	for rows.Next() {
		var f File
		if err := rows.Scan(&f.Name, &f.Data); err != nil {
			return nil, fmt.Errorf("transfer: read upload: %w", err)
		}
		files = append(files, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("transfer: read upload: %w", err)
	}
	if len(files) == 0 {
		return nil, apperror.New(apperror.NotFound, "token", "transfer.upload_gone")
	}
	return files, nil
}

// Delete forgets an upload once applied.
func (u *Uploads) Delete(ctx context.Context, token string) error {
	if _, err := u.db.Write.ExecContext(ctx, `DELETE FROM import_uploads WHERE token = $1`, token); err != nil {
		return fmt.Errorf("transfer: forget upload: %w", err)
	}
	return nil
}
