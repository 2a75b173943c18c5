package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"ansinh"
	"ansinh/store"
)

// user runs `ansinh user add`. The operator acts as the system unless -as names a
// user, whose scope then applies exactly as on the API.
func (a *app) user(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return usageError{fmt.Errorf("usage: ansinh user add -username NAME -role ROLE -unit CODE [-as USER] [-password-stdin]")}
	}
	fl := flag.NewFlagSet("user add", flag.ContinueOnError)
	fl.SetOutput(stderr)
	username := fl.String("username", "", "login name (3–32 lower-case letters, digits, . _ -)")
	role := fl.String("role", "", "admin, province, district, commune or police")
	unit := fl.String("unit", "", "administrative unit code, e.g. 94 or 31498")
	as := fl.String("as", "", "create as this existing user, within their scope")
	phone := fl.String("phone", "", "the officer's phone, given to beneficiaries who ask for an officer")
	fromStdin := fl.Bool("password-stdin", false, "read the password from the first line of standard input (otherwise one is generated and printed)")
	if err := fl.Parse(args[1:]); err != nil {
		return usageError{err}
	}
	req := &ansinh.NewUser{Username: *username, Role: ansinh.Role(*role), Unit: *unit, Phone: *phone}
	generated := false
	if *fromStdin {
		line, err := bufio.NewReader(a.stdin).ReadString('\n')
		if err != nil && err != io.EOF {
			return fmt.Errorf("read password: %w", err)
		}
		req.Password = strings.TrimRight(line, "\r\n")
	} else {
		req.Password, generated = ansinh.RandomToken(12), true
	}
	if err := req.Validate(a.units); err != nil {
		return usageError{describe(err)}
	}

	st, err := a.openStore(ctx, nil)
	if err != nil {
		return err
	}
	defer st.Close(context.WithoutCancel(ctx))
	if err := a.checkUnitSet(ctx, st); err != nil {
		return err
	}
	creator, err := a.actor(ctx, st, *as)
	if err != nil {
		return err
	}
	if *as != "" {
		if err := ansinh.AuthorizeCreate(creator, req, a.units); err != nil {
			return usageError{describe(err)}
		}
	}
	now := time.Now()
	u, err := ansinh.CreateUser(ctx, st, req, creator.Username, now)
	if err != nil {
		return describe(err)
	}
	if err := st.Audit(ctx, &ansinh.AuditEvent{At: now, Actor: creator.Username, Role: creator.Role, Action: ansinh.ActionUserCreate,
		Target: "user:" + u.Username, Unit: u.Unit, IP: "cli", Detail: map[string]any{"role": string(u.Role)}}); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Created user %s (%s) on unit %s.\n", u.Username, u.Role, u.Unit)
	if generated {
		fmt.Fprintf(a.stdout, "Password: %s\n", req.Password)
	}
	return nil
}

// describe spells out a domain error with its fields for the terminal.
func describe(err error) error {
	var e *ansinh.Error
	if !errors.As(err, &e) {
		return err
	}
	msg := e.Message
	for f, m := range e.Fields {
		msg += fmt.Sprintf("\n  %s: %s", f, m)
	}
	return fmt.Errorf("%s", msg)
}

// actor is the user a command acts as: -as USER, or the operator.
func (a *app) actor(ctx context.Context, st *store.Store, as string) (*ansinh.User, error) {
	if as == "" {
		return a.cliUser(), nil
	}
	u, err := st.User(ctx, ansinh.NormalizeUsername(as))
	if err != nil {
		return nil, usageError{fmt.Errorf("-as %s: %w", as, describe(err))}
	}
	return u, nil
}
