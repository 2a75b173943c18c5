package handlers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"ansinh"
	"ansinh/handlers"
	"ansinh/notify"
	"ansinh/store/storetest"
)

// withReminders rebuilds the app with the officers' reminder action on, over a notice
// service of the test's store and clock.
func (e *env) withReminders() *notify.Service {
	e.t.Helper()
	svc := &notify.Service{Store: e.store, Now: e.clock.now}
	app, err := handlers.New(handlers.Deps{Config: e.cfg, Store: e.store, Units: e.units, UnitSets: e.sets, Logger: storetest.Logger(),
		Now: e.clock.now, Notifier: svc, Reminders: svc})
	if err != nil {
		e.t.Fatal(err)
	}
	e.app = app
	return svc
}

// TestRemindersAPI: a commune officer queues the month's reminders for their commune
// (only the person who agreed is reminded, once a month), cannot for another commune,
// the police cannot at all; every bad body changes nothing; each run is audited.
func TestRemindersAPI(t *testing.T) {
	e := staffEnv(t)
	e.clock.t = time.Date(2026, 12, 2, 10, 0, 0, 0, ansinh.Vietnam)
	e.withReminders()
	e.withBeneficiaries()
	body := validRegistration("key-remind-0001")
	body["notify_consent"] = true
	_, receipt := e.submit(body)
	officer := e.login("xa31498")
	if r := e.do("POST", "/api/v1/registrations/"+receipt+"/reject", officer, map[string]string{"reason": "account_invalid"}); r.StatusCode != 200 {
		t.Fatalf("reject: %d %s", r.StatusCode, r.body)
	}
	sau := e.store.BeneficiaryID(sauCCCD)
	reminder := notify.ReminderID("2026-12", sau)
	queued := func() bool {
		_, err := e.store.NoticeStatus(context.Background(), reminder)
		return err == nil
	}

	bad := []struct {
		name  string
		body  any
		token string
		code  int
	}{
		{"malformed JSON", `{"month":`, officer, 400},
		{"an operator for the unit", `{"unit":{"$gt":""}}`, officer, 422},
		{"a number for the month", `{"month":202612}`, officer, 422},
		{"no such month", map[string]string{"month": "2026-13"}, officer, 422},
		{"no such unit", map[string]string{"unit": "99999"}, officer, 422},
		{"another commune", map[string]string{"unit": "31569"}, officer, 403},
		{"the province above", map[string]string{"unit": "94"}, officer, 403},
		{"the police", map[string]string{}, e.login("ca.tinh"), 403},
		{"no token", map[string]string{}, "", 401},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if r := e.do("POST", "/api/v1/notices/reminders", tc.token, tc.body); r.StatusCode != tc.code || r.errorCode() == "" {
				t.Fatalf("%d, want %d: %s", r.StatusCode, tc.code, r.body)
			}
			if queued() {
				t.Fatal("a refused request queued a reminder")
			}
		})
	}

	var got map[string]any
	r := e.do("POST", "/api/v1/notices/reminders", officer, map[string]string{"month": "2026-12"})
	if r.StatusCode != 200 {
		t.Fatalf("reminders: %d %s", r.StatusCode, r.body)
	}
	r.decode(&got)
	// Sáu agreed; Trần Thị Bảy never submitted, so was never asked.
	if got["queued"] != 1.0 || got["no_consent"] != 1.0 || got["already"] != 0.0 || got["unit"] != "31498" || !queued() {
		t.Fatalf("first run: %v", got)
	}
	e.do("POST", "/api/v1/notices/reminders", officer, map[string]string{"month": "2026-12"}).decode(&got)
	if got["queued"] != 0.0 || got["already"] != 1.0 {
		t.Fatalf("second run: %v", got)
	}
	// The province's officer may, for the whole province: Lê Văn Tám never submitted.
	e.do("POST", "/api/v1/notices/reminders", e.login("so.ldtbxh"), map[string]string{}).decode(&got)
	if got["month"] != "2026-12" || got["unit"] != "94" || got["already"] != 1.0 || got["no_consent"] != 2.0 {
		t.Fatalf("the province: %v", got)
	}
	evs, err := e.store.AuditEvents(context.Background(), ansinh.AuditFilter{Action: ansinh.ActionNoticeReminders})
	if err != nil || len(evs) != 3 {
		t.Fatalf("%d audit events, %v", len(evs), err)
	}
	if ansinh.ActionLabel(ansinh.ActionNoticeReminders) == ansinh.ActionNoticeReminders {
		t.Fatal("the audit action has no label")
	}
}

// stoppedReminders is a reminder run that queued some and then stopped (a time-out on
// a large unit).
type stoppedReminders struct{}

func (stoppedReminders) Remind(context.Context, []string, string) (ansinh.ReminderCounts, error) {
	return ansinh.ReminderCounts{Queued: 7, NoConsent: 3}, context.DeadlineExceeded
}

// TestReminderRunStoppedIsAudited: a run that stops part-way answers an error, and the
// audit still says what it queued.
func TestReminderRunStoppedIsAudited(t *testing.T) {
	e := staffEnv(t)
	app, err := handlers.New(handlers.Deps{Config: e.cfg, Store: e.store, Units: e.units, UnitSets: e.sets, Logger: storetest.Logger(),
		Now: e.clock.now, Reminders: stoppedReminders{}})
	if err != nil {
		t.Fatal(err)
	}
	e.app = app
	r := e.do("POST", "/api/v1/notices/reminders", e.login("xa31498"), map[string]string{"month": "2026-12"})
	if r.StatusCode == 200 {
		t.Fatalf("a stopped run answers %d %s", r.StatusCode, r.body)
	}
	evs, err := e.store.AuditEvents(context.Background(), ansinh.AuditFilter{Action: ansinh.ActionNoticeReminders})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || fmt.Sprint(evs[0].Detail["queued"]) != "7" || evs[0].Detail["unfinished"] != true {
		t.Fatalf("audit of a stopped run: %+v", evs)
	}
}
