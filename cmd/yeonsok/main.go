// Command yeonsok is 연속, the business-continuity control tower.
package main

import (
	"context"
	"os"

	"yeonsok/internal/cli"
)

func main() {
	os.Exit(cli.Run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}
