package handlers

import (
	"bufio"
	"context"
	"io"
	"time"

	"github.com/gofiber/fiber/v2"
)

// exportTimeout bounds the store work of one streamed export (a province's list).
const exportTimeout = 10 * time.Minute

// stream sends the answer's body as write produces it: the handler returns at once
// and write runs while the answer goes out, with a context of its own (the request's
// ends with the handler) and the connection's write deadline kept a minute ahead, so
// an export of any length is never cut by the server's write timeout. The status and
// headers are gone by the time write fails: it is logged, and write ends the body
// with a line saying the file is incomplete.
func (h *Handler) stream(c *fiber.Ctx, write func(ctx context.Context, w io.Writer) error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.UserContext()), exportTimeout)
	conn := c.Context().Conn()
	path := c.Path()
	c.Context().SetBodyStreamWriter(func(bw *bufio.Writer) {
		defer cancel()
		w := &deadlineWriter{w: bw, conn: conn}
		w.extend()
		if err := write(ctx, w); err != nil {
			h.log.Warn("export stopped", "path", path, "err", err)
			return
		}
		_ = bw.Flush()
	})
}

// deadlineWriter flushes the answer a buffer at a time and moves the connection's
// write deadline on every few seconds.
type deadlineWriter struct {
	w    *bufio.Writer
	conn interface{ SetWriteDeadline(time.Time) error }
	last time.Time
}

func (d *deadlineWriter) extend() {
	if d.conn != nil {
		_ = d.conn.SetWriteDeadline(time.Now().Add(time.Minute))
	}
	d.last = time.Now()
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	if time.Since(d.last) > 5*time.Second {
		d.extend()
	}
	n, err := d.w.Write(p)
	if err == nil && d.w.Buffered() == 0 {
		return n, nil
	}
	if err == nil && d.w.Available() < 4<<10 {
		err = d.w.Flush() // a full buffer goes out now: the client sees rows as they come
	}
	return n, err
}

// Flush sends what is buffered now (the header row, so that the first bytes leave at
// once).
func (d *deadlineWriter) Flush() error { return d.w.Flush() }

// flushed flushes w, then out when it can.
func flushed(w interface{ Flush() error }, out io.Writer) error {
	if err := w.Flush(); err != nil {
		return err
	}
	if f, ok := out.(interface{ Flush() error }); ok {
		return f.Flush()
	}
	return nil
}
