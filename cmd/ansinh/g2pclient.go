package main

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"ansinh"
	"ansinh/g2p"
	"ansinh/mapper"
)

const g2pClientUsage = `usage: ansinh g2p-client add -sender-id ID -name NAME -units CODE[,CODE] [-details] [-rate-limit N] [-public-key B64|@FILE] [-callback-url URL]
       ansinh g2p-client list
       ansinh g2p-client pause|resume|revoke SENDER_ID`

// g2pClient runs `ansinh g2p-client …`: the G2P mapper's clients, as the admin API
// manages them, each change audited with the actor "cli".
func (a *app) g2pClient(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{fmt.Errorf(g2pClientUsage)}
	}
	switch args[0] {
	case "add":
		return a.g2pClientAdd(ctx, args[1:], stderr)
	case "list":
		if len(args) != 1 {
			return usageError{fmt.Errorf(g2pClientUsage)}
		}
		return a.g2pClientList(ctx)
	case "pause", "resume", "revoke":
		if len(args) != 2 {
			return usageError{fmt.Errorf(g2pClientUsage)}
		}
		status := map[string]string{"pause": ansinh.ClientPaused, "resume": ansinh.ClientActive, "revoke": ansinh.ClientRevoked}[args[0]]
		st, err := a.openStore(ctx, nil)
		if err != nil {
			return err
		}
		defer st.Close(context.WithoutCancel(ctx))
		c, err := mapper.SetClientStatus(ctx, st, a.cliUser(), "cli", args[1], status, time.Now())
		if ansinh.ErrorCode(err) == ansinh.ENOTFOUND {
			return fmt.Errorf("g2p-client %s: no client %s", args[0], args[1])
		}
		if err != nil {
			return describe(err)
		}
		fmt.Fprintf(a.stdout, "client %s is now %s\n", c.SenderID, c.Status)
		return nil
	}
	return usageError{fmt.Errorf(g2pClientUsage)}
}

func (a *app) g2pClientAdd(ctx context.Context, args []string, stderr io.Writer) error {
	fl := flag.NewFlagSet("g2p-client add", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var req ansinh.NewAPIClient
	fl.StringVar(&req.SenderID, "sender-id", "", "the sender_id the client writes in its headers, e.g. kbnn.cantho.gov.vn")
	fl.StringVar(&req.Name, "name", "", "the client's name, as staff read it")
	units := fl.String("units", "", "comma-separated unit codes whose people it may ask about")
	fl.BoolVar(&req.Details, "details", false, "may ask for scope details (account numbers, CCCD); otherwise yes/no only")
	fl.IntVar(&req.RateLimit, "rate-limit", ansinh.DefaultClientRateLimit, "requests a minute")
	key := fl.String("public-key", "", "its Ed25519 public key, base64, or @FILE; then it must sign, and answers to it are signed")
	fl.StringVar(&req.CallbackURL, "callback-url", "", "base address of its async callbacks (results go to URL/mapper/on-resolve)")
	if err := fl.Parse(args); err != nil {
		return usageError{err}
	}
	if fl.NArg() != 0 {
		return usageError{fmt.Errorf(g2pClientUsage)}
	}
	for _, u := range strings.Split(*units, ",") {
		if u = strings.TrimSpace(u); u != "" {
			req.Units = append(req.Units, u)
		}
	}
	req.PublicKey = *key
	if path, ok := strings.CutPrefix(*key, "@"); ok {
		b, err := os.ReadFile(path)
		if err != nil {
			return usageError{fmt.Errorf("-public-key: %w", err)}
		}
		req.PublicKey = strings.TrimSpace(string(b))
	}
	st, err := a.openStore(ctx, nil)
	if err != nil {
		return err
	}
	defer st.Close(context.WithoutCancel(ctx))
	if err := a.checkUnitSet(ctx, st); err != nil {
		return err
	}
	c, token, err := mapper.RegisterClient(ctx, st, a.cliUser(), "cli", &req, a.units, time.Now())
	if ansinh.ErrorCode(err) == ansinh.EINVALID {
		return usageError{describe(err)}
	}
	if err != nil {
		return describe(err)
	}
	pub := a.cfg.G2PSigningKey().Public().(ed25519.PublicKey)
	host := a.cfg.G2PSenderID()
	fmt.Fprintf(a.stdout, "Registered client %s (%s): units %s, %s, %d requests a minute.\n", c.SenderID, c.Name,
		strings.Join(c.Units, ","), map[bool]string{true: "details allowed", false: "yes/no only"}[c.Details], c.RateLimit)
	fmt.Fprintf(a.stdout, "Bearer token (shown only this once): %s\n", token)
	fmt.Fprintf(a.stdout, "ansinh signs its answers with key %s|%s|ed25519: %s\n", host, g2p.KeyID(pub), base64.StdEncoding.EncodeToString(pub))
	return nil
}

func (a *app) g2pClientList(ctx context.Context) error {
	st, err := a.openStore(ctx, nil)
	if err != nil {
		return err
	}
	defer st.Close(context.WithoutCancel(ctx))
	list, err := st.APIClients(ctx)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintln(a.stdout, "no clients")
		return nil
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "SENDER_ID\tSTATUS\tSCOPE\tRATE\tSIGNED\tASYNC\tUNITS\tNAME")
	for _, c := range list {
		scope := "yes_no"
		if c.Details {
			scope = "details"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%d/min\t%v\t%v\t%s\t%s\n", c.SenderID, c.Status, scope, c.RateLimit, len(c.PublicKey) > 0,
			c.CallbackURL != "", strings.Join(c.Units, ","), c.Name)
	}
	return w.Flush()
}
