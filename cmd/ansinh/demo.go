package main

import (
	"context"
	"fmt"
	"time"

	"ansinh"
	"ansinh/demo"
	"ansinh/enroll"
)

// loadDemo runs `ansinh demo`: a synthetic province and one staff user per role, on an
// empty store only.
func (a *app) loadDemo(ctx context.Context) error {
	st, err := a.openStore(ctx, nil)
	if err != nil {
		return err
	}
	defer st.Close(context.WithoutCancel(ctx))
	if err := a.checkUnitSet(ctx, st); err != nil {
		return err
	}
	real, err := st.CountBeneficiaries(ctx, true)
	if err != nil {
		return err
	}
	all, err := st.CountBeneficiaries(ctx, false)
	if err != nil {
		return err
	}
	switch {
	case real > 0:
		return fmt.Errorf("the store holds %d real beneficiaries: the demo runs only on an empty store", real)
	case all > 0:
		return fmt.Errorf("the demo is already loaded (%d synthetic beneficiaries)", all)
	}
	now := time.Now()
	rows, err := demo.Province(a.units, uint64(now.UnixNano()), now)
	if err != nil {
		return err
	}
	for i := 0; i < len(rows); i += 1000 {
		if _, err := st.InsertImported(ctx, rows[i:min(i+1000, len(rows))], now); err != nil {
			return err
		}
	}
	if err := a.ensureAdmin(ctx, st); err != nil {
		return err
	}
	// Submissions waiting in the communes' queues.
	submissions := demo.PendingSubmissions(rows, 60, uint64(now.UnixNano()))
	svc := enroll.New(st, a.cfg.SecretKey, nil)
	for row, req := range submissions {
		b := row.Beneficiary
		b.ID = st.BeneficiaryID(b.CCCD)
		if _, _, err := svc.SubmitFor(ctx, &b, req, ansinh.ChannelQR); err != nil {
			return fmt.Errorf("demo submission: %w", err)
		}
	}
	fmt.Fprintf(a.stdout, "Loaded a synthetic province: %d beneficiaries, %d with a verified account, %d submissions to review. Every record is marked synthetic.\n",
		demo.Beneficiaries, demo.WithAccount, len(submissions))
	// One officer per role, on the first district and its first commune.
	district := a.units.Root.Children[0]
	commune := a.units.Leaves(district.Code)[0]
	users := []ansinh.NewUser{
		{Username: "so.ldtbxh", Role: ansinh.RoleProvince, Unit: a.units.Root.Code},
		{Username: "congan.tinh", Role: ansinh.RolePolice, Unit: a.units.Root.Code},
		{Username: "xa." + commune, Role: ansinh.RoleCommune, Unit: commune},
	}
	if !district.Leaf() {
		users = append(users, ansinh.NewUser{Username: "huyen." + district.Code, Role: ansinh.RoleDistrict, Unit: district.Code})
	}
	fmt.Fprintln(a.stdout, "Staff users (demo passwords, shown once):")
	for _, nu := range users {
		nu.Password = ansinh.RandomToken(9)
		if _, err := ansinh.CreateUser(ctx, st, &nu, "demo", now); err != nil {
			if ansinh.ErrorCode(err) == ansinh.ECONFLICT {
				fmt.Fprintf(a.stdout, "  %-16s already exists, left as it is\n", nu.Username)
				continue
			}
			return err
		}
		if err := st.Audit(ctx, &ansinh.AuditEvent{At: now, Actor: "demo", Action: ansinh.ActionUserCreate,
			Target: "user:" + nu.Username, Unit: nu.Unit, IP: "cli", Detail: map[string]any{"role": string(nu.Role)}}); err != nil {
			return err
		}
		unit, _ := a.units.Get(nu.Unit)
		fmt.Fprintf(a.stdout, "  %-16s %-9s %-28s password: %s\n", nu.Username, nu.Role, unit.Name, nu.Password)
	}
	return st.Audit(ctx, &ansinh.AuditEvent{At: now, Actor: "demo", Action: ansinh.ActionImport, Unit: a.units.Root.Code, IP: "cli",
		Detail: map[string]any{"file": "demo", "inserted": len(rows), "synthetic": true}})
}
