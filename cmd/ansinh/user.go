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

const userUsage = `usage:
  ansinh user add -username NAME -role ROLE -unit CODE [-as USER] [-phone PHONE] [-password-stdin]
  ansinh user list [-unit CODE] [-as USER]
  ansinh user disable|enable [-as USER] NAME
  ansinh user reset-password [-as USER] NAME`

// user runs `ansinh user add|list|disable|enable|reset-password`. The operator acts as
// the system unless -as names a user, whose scope then applies exactly as on the API.
func (a *app) user(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{fmt.Errorf("%s", userUsage)}
	}
	switch args[0] {
	case "add":
	case "list":
		return a.userList(ctx, args[1:], stderr)
	case "disable", "enable", "reset-password":
		return a.userManage(ctx, args[0], args[1:], stderr)
	default:
		return usageError{fmt.Errorf("%s", userUsage)}
	}
	fl := flag.NewFlagSet("user add", flag.ContinueOnError)
	fl.SetOutput(stderr)
	username := fl.String("username", "", "login name (3–32 lower-case letters, digits, . _ -)")
	role := fl.String("role", "", "admin, province, district, commune or police")
	unit := fl.String("unit", "", "administrative unit code, e.g. 94 or 31498")
	as := fl.String("as", "", "create as this existing user, within their scope")
	phone := fl.String("phone", "", "the officer's phone, given to beneficiaries who ask for an officer")
	fromStdin := fl.Bool("password-stdin", false, "read the password from the first line of standard input (otherwise a one-time password is generated and printed, to be changed at first login)")
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
		req.Password, generated, req.MustChangePassword = ansinh.OneTimePassword(), true, true
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
	detail := map[string]any{"role": string(u.Role)}
	if u.MustChangePassword {
		detail["one_time"] = true
	}
	if err := st.Audit(ctx, &ansinh.AuditEvent{At: now, Actor: creator.Username, Role: creator.Role, Action: ansinh.ActionUserCreate,
		Target: "user:" + u.Username, Unit: u.Unit, IP: "cli", Detail: detail}); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Created user %s (%s) on unit %s.\n", u.Username, u.Role, u.Unit)
	if generated {
		fmt.Fprintf(a.stdout, "One-time password (shown only this once; to be changed at first login): %s\n", req.Password)
	}
	return nil
}

// userList prints the accounts of a unit's subtree (the actor's unit by default), one
// a line: username, role, unit, state.
func (a *app) userList(ctx context.Context, args []string, stderr io.Writer) error {
	fl := flag.NewFlagSet("user list", flag.ContinueOnError)
	fl.SetOutput(stderr)
	unit := fl.String("unit", "", "only the accounts of this unit and beneath it")
	as := fl.String("as", "", "list as this existing user, within their scope")
	if err := fl.Parse(args); err != nil || fl.NArg() > 0 {
		return usageError{fmt.Errorf("%s", userUsage)}
	}
	st, err := a.openStore(ctx, nil)
	if err != nil {
		return err
	}
	defer st.Close(context.WithoutCancel(ctx))
	if err := a.checkUnitSet(ctx, st); err != nil {
		return err
	}
	actor, err := a.actor(ctx, st, *as)
	if err != nil {
		return err
	}
	code := *unit
	if code == "" {
		code = actor.Unit
	}
	if _, ok := a.units.Get(code); !ok || !actor.Sees(a.units, code) {
		return usageError{fmt.Errorf("-unit %s: %s", code, ansinh.MsgUnitOutOfScope)}
	}
	var units []string
	if code != a.units.Root.Code {
		units = a.units.Subtree(code)
	}
	users, err := st.Users(ctx, units)
	if err != nil {
		return err
	}
	for _, u := range users {
		state := "active"
		switch {
		case u.Disabled:
			state = "disabled"
		case u.MustChangePassword:
			state = "one-time password"
		}
		name := u.Unit
		if x, ok := a.units.Get(u.Unit); ok {
			name = x.Name
		}
		fmt.Fprintf(a.stdout, "%-20s %-9s %-8s %-28s %s\n", u.Username, u.Role, u.Unit, name, state)
	}
	fmt.Fprintf(a.stdout, "%d users\n", len(users))
	return nil
}

// userManage runs disable, enable and reset-password on one account, audited as the
// actor from "cli"; a reset prints the one-time password once.
func (a *app) userManage(ctx context.Context, verb string, args []string, stderr io.Writer) error {
	fl := flag.NewFlagSet("user "+verb, flag.ContinueOnError)
	fl.SetOutput(stderr)
	as := fl.String("as", "", "act as this existing user, within their scope")
	if err := fl.Parse(args); err != nil || fl.NArg() != 1 {
		return usageError{fmt.Errorf("%s", userUsage)}
	}
	name := ansinh.NormalizeUsername(fl.Arg(0))
	st, err := a.openStore(ctx, nil)
	if err != nil {
		return err
	}
	defer st.Close(context.WithoutCancel(ctx))
	if err := a.checkUnitSet(ctx, st); err != nil {
		return err
	}
	actor, err := a.actor(ctx, st, *as)
	if err != nil {
		return err
	}
	target, err := st.User(ctx, name)
	if err != nil {
		return fmt.Errorf("user %s: %w", name, describe(err))
	}
	if err := ansinh.AuthorizeManage(actor, target, a.units); err != nil {
		return usageError{describe(err)}
	}
	now := time.Now()
	ev := &ansinh.AuditEvent{At: now, Actor: actor.Username, Role: actor.Role, Target: "user:" + target.Username, Unit: target.Unit,
		IP: "cli", Detail: map[string]any{"role": string(target.Role)}}
	password := ""
	switch verb {
	case "disable", "enable":
		if err := st.SetUserDisabled(ctx, target.Username, verb == "disable"); err != nil {
			return err
		}
		ev.Action = ansinh.ActionUserEnable
		if verb == "disable" {
			ev.Action = ansinh.ActionUserDisable
		}
	case "reset-password":
		password = ansinh.OneTimePassword()
		hash, err := ansinh.HashPassword(password)
		if err != nil {
			return err
		}
		if err := st.SetUserPassword(ctx, target.Username, hash, true, now); err != nil {
			return err
		}
		ev.Action = ansinh.ActionUserPasswordReset
	}
	if verb != "enable" {
		n, err := st.DeleteUserSessions(ctx, target.Username, "")
		if err != nil {
			return err
		}
		ev.Detail["sessions_ended"] = n
	}
	if err := st.Audit(ctx, ev); err != nil {
		return err
	}
	switch verb {
	case "disable":
		fmt.Fprintf(a.stdout, "User %s is disabled; its sessions ended.\n", target.Username)
	case "enable":
		fmt.Fprintf(a.stdout, "User %s is enabled.\n", target.Username)
	default:
		fmt.Fprintf(a.stdout, "One-time password of %s (shown only this once; to be changed at first login): %s\n", target.Username, password)
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
