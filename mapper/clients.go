package mapper

import (
	"context"
	"time"

	"ansinh"
	"ansinh/g2p"
)

// ClientStore is what registering and changing clients needs.
type ClientStore interface {
	CreateAPIClient(ctx context.Context, c *ansinh.APIClient, token string) error
	SetAPIClientStatus(ctx context.Context, sender, status, by string, now time.Time) (*ansinh.APIClient, error)
	Audit(ctx context.Context, e *ansinh.AuditEvent) error
}

// RegisterClient validates and stores a client for by (an admin, or the command
// line), audits it from ip, and returns it with its bearer token, shown only now.
func RegisterClient(ctx context.Context, st ClientStore, by *ansinh.User, ip string, req *ansinh.NewAPIClient, units *ansinh.Units, now time.Time) (*ansinh.APIClient, string, error) {
	if !by.Role.Can(ansinh.ActAPIClients) {
		return nil, "", ansinh.Errorf(ansinh.EFORBIDDEN, ansinh.MsgForbidden)
	}
	c, err := req.Validate(by, units, func(s string) ([]byte, error) { return g2p.ParsePublicKey(s) })
	if err != nil {
		return nil, "", err
	}
	c.CreatedBy, c.CreatedAt, c.UpdatedAt = by.Username, now, now
	token := ansinh.RandomToken(32)
	if err := st.CreateAPIClient(ctx, c, token); err != nil {
		return nil, "", err
	}
	err = st.Audit(ctx, &ansinh.AuditEvent{At: now, Actor: by.Username, Role: by.Role, Action: ansinh.ActionAPIClient, Target: "client:" + c.SenderID,
		Unit: by.Unit, IP: ip, Detail: map[string]any{"name": c.Name, "units": c.Units, "details": c.Details, "rate_limit": c.RateLimit,
			"signed": len(c.PublicKey) > 0, "callback_url": c.CallbackURL}})
	if err != nil {
		return nil, "", err
	}
	return c, token, nil
}

var statusActions = map[string]string{
	ansinh.ClientPaused:  ansinh.ActionAPIClientPause,
	ansinh.ClientActive:  ansinh.ActionAPIClientResume,
	ansinh.ClientRevoked: ansinh.ActionAPIClientRevoke,
}

// SetClientStatus pauses, resumes (ansinh.ClientActive) or revokes a client for by,
// audited, and returns the client as it now is.
func SetClientStatus(ctx context.Context, st ClientStore, by *ansinh.User, ip, sender, status string, now time.Time) (*ansinh.APIClient, error) {
	action, ok := statusActions[status]
	if !by.Role.Can(ansinh.ActAPIClients) || !ok {
		return nil, ansinh.Errorf(ansinh.EFORBIDDEN, ansinh.MsgForbidden)
	}
	sender = ansinh.NormalizeSenderID(sender)
	before, err := st.SetAPIClientStatus(ctx, sender, status, by.Username, now)
	if err != nil {
		return nil, err
	}
	err = st.Audit(ctx, &ansinh.AuditEvent{At: now, Actor: by.Username, Role: by.Role, Action: action, Target: "client:" + sender,
		Unit: by.Unit, IP: ip, Detail: map[string]any{"from": before.Status, "to": status}})
	if err != nil {
		return nil, err
	}
	after := *before
	after.Status, after.UpdatedBy, after.UpdatedAt = status, by.Username, now
	return &after, nil
}
