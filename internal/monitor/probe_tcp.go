package monitor

import "context"

// probeTCP: the endpoint accepts a connection, which is closed at once.
func probeTCP(ctx context.Context, c *Check) error {
	conn, err := dialer.DialContext(ctx, "tcp", hostPort(c.Target))
	if err != nil {
		return err
	}
	conn.Close()
	return nil
}
