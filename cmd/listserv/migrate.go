package main

import (
	"context"
	"fmt"
	"io"
)

func migrate(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("migrate")
	if _, err := f.parse(args); err != nil {
		return err
	}
	db, err := f.create(ctx) // Open migrates
	if err != nil {
		return err
	}
	defer db.Close()
	applied, known, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema at version %d of %d (%s)\n", applied, known, db.Dialect())
	return nil
}
