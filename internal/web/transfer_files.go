package web

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"path"
	"strings"

	"yeonsok/internal/apperror"
	"yeonsok/internal/transfer"
)

// readImportFiles reads the files of an import request: the "file" fields
// of a multipart form (one workbook, or several CSV files), or a raw body
// named by ?name=. Both the page and the API take files this way.
func readImportFiles(r *http.Request) ([]transfer.File, error) {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		reader, err := r.MultipartReader()
		if err != nil {
			return nil, apperror.New(apperror.Invalid, "file", "transfer.no_file")
		}
		var files []transfer.File
		for {
			part, err := reader.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, uploadError(err)
			}
			if part.FormName() != "file" || part.FileName() == "" {
				if err := keepFormValue(r, part); err != nil {
					return nil, err
				}
				continue
			}
			data, err := transfer.ReadAll(part, 0)
			if err != nil {
				return nil, uploadError(err)
			}
			files = append(files, transfer.File{Name: path.Base(part.FileName()), Data: data})
		}
		if len(files) == 0 {
			return nil, apperror.New(apperror.Invalid, "file", "transfer.no_file")
		}
		return files, nil
	}
	data, err := transfer.ReadAll(r.Body, 0)
	if err != nil {
		return nil, uploadError(err)
	}
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "upload.xlsx"
	}
	return []transfer.File{{Name: path.Base(name), Data: data}}, nil
}

// keepFormValue records a small non-file field of a multipart form in
// r.Form, so handlers can read the options sent along with the file.
func keepFormValue(r *http.Request, part *multipart.Part) error {
	value, err := io.ReadAll(io.LimitReader(part, 4096))
	if err != nil {
		return uploadError(err)
	}
	if r.Form == nil {
		r.Form = map[string][]string{}
	}
	r.Form.Add(part.FormName(), string(value))
	return nil
}

// uploadError passes on errors the user can act on (a file too large) and
// wraps the rest.
func uploadError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return err
	}
	if _, ok := apperror.As(err); ok {
		return err
	}
	return apperror.New(apperror.Invalid, "file", "transfer.upload_broken")
}

// importOptions reads the options of an import from the query or the form.
func importOptions(r *http.Request) transfer.Options {
	value := func(name string) string {
		if v := r.URL.Query().Get(name); v != "" {
			return v
		}
		return r.Form.Get(name)
	}
	return transfer.Options{
		DryRun:       value("dry_run") == "true" || value("dry_run") == "1",
		Encoding:     value("encoding"),
		Sheet:        value("sheet"),
		ExpectDigest: value("expect_digest"),
	}
}
