package inventory

import (
	"context"
	"fmt"

	"yeonsok/internal/access"
)

// Inventory is every record in a scope, read in one transaction so that the
// parts agree with each other. Export and the data-quality report use it.
type Inventory struct {
	Agencies     []*Agency
	Facilities   []*Facility
	Systems      []*System
	Services     []*Service
	Dependencies []*Dependency
	Declared     []*DeclaredFigure
}

// Load reads the whole inventory visible in scope.
func (s *Store) Load(ctx context.Context, scope access.Scope) (*Inventory, error) {
	tx, err := s.db.BeginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("inventory: load: %w", err)
	}
	defer tx.Rollback()
	return load(ctx, tx, scope)
}

func load(ctx context.Context, q queryer, scope access.Scope) (*Inventory, error) {
	var inv Inventory
	var err error
	if inv.Agencies, err = listAgencies(ctx, q, scope); err != nil {
		return nil, err
	}
	if inv.Facilities, err = listFacilities(ctx, q, scope); err != nil {
		return nil, err
	}
	if inv.Systems, err = listSystems(ctx, q, scope, SystemFilter{}); err != nil {
		return nil, err
	}
	if inv.Services, err = listServices(ctx, q, scope); err != nil {
		return nil, err
	}
	if inv.Dependencies, err = listDependencies(ctx, q, scope); err != nil {
		return nil, err
	}
	if inv.Declared, err = listDeclared(ctx, q, scope); err != nil {
		return nil, err
	}
	return &inv, nil
}

// Load reads the whole inventory inside the transaction, for a change that
// must be computed against exactly what it will change (an import).
func (t *Tx) Load(ctx context.Context) (*Inventory, error) {
	return load(ctx, t.tx, t.scope)
}
