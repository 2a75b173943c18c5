package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"ansinh"
	"ansinh/store"
)

const privacyUsage = "usage: ansinh privacy retention [-dry-run] | ansinh privacy report [-o FILE]"

// privacy runs `ansinh privacy retention` (the retention job now, or with -dry-run
// what it would erase) and `ansinh privacy report` (the records of processing).
func (a *app) privacy(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{fmt.Errorf(privacyUsage)}
	}
	fl := flag.NewFlagSet("privacy "+args[0], flag.ContinueOnError)
	fl.SetOutput(stderr)
	var dry *bool
	var out *string
	switch args[0] {
	case "retention":
		dry = fl.Bool("dry-run", false, "count what would be erased, erase nothing")
	case "report":
		out = fl.String("o", "", "write the report to FILE (default: standard output)")
	default:
		return usageError{fmt.Errorf(privacyUsage)}
	}
	if err := fl.Parse(args[1:]); err != nil || fl.NArg() != 0 {
		return usageError{fmt.Errorf(privacyUsage)}
	}
	st, err := a.openStore(ctx, nil)
	if err != nil {
		return err
	}
	defer st.Close(context.WithoutCancel(ctx))
	if dry != nil {
		rep, err := a.retention(ctx, st, time.Now(), *dry, "cli")
		if err != nil {
			return err
		}
		b, _ := json.MarshalIndent(rep, "", "  ")
		_, err = fmt.Fprintf(a.stdout, "%s\n", b)
		return err
	}
	return a.privacyReport(ctx, st, *out)
}

// retention runs the retention job once: it erases what the configured periods say is
// due, logs and audits what it removed (as actor), and returns the count.
func (a *app) retention(ctx context.Context, st *store.Store, now time.Time, dry bool, actor string) (*ansinh.RetentionReport, error) {
	rep, err := st.ApplyRetention(ctx, a.cfg.Retention, now, dry)
	if err != nil {
		return nil, err
	}
	if dry || rep.Total() == 0 {
		return rep, nil
	}
	a.log.Info("retention: erased personal data whose period ended", "submissions", rep.Submissions, "conversations", rep.Conversations,
		"events", rep.Events, "messages", rep.Messages, "chat_links", rep.ChatLinks, "drafts", rep.Drafts, "draft_photos", rep.DraftPhotos)
	err = st.Audit(ctx, &ansinh.AuditEvent{At: now, Actor: actor, Action: ansinh.ActionRetention, IP: actor, Detail: map[string]any{
		"submissions": rep.Submissions, "conversations": rep.Conversations, "events": rep.Events, "messages": rep.Messages,
		"chat_links": rep.ChatLinks, "drafts": rep.Drafts, "draft_photos": rep.DraftPhotos, "submissions_days": int(a.cfg.Retention.Submissions.Hours() / 24),
		"chat_days": int(a.cfg.Retention.Chat.Hours() / 24)}})
	return rep, err
}

// reportSample is how many documents of each collection the report reads to check
// what is sealed and that no personal number is in clear.
const reportSample = 500

// privacyReport writes the records of processing (ansinh.Inventory) with what the
// running store holds: documents per collection, what a sample shows sealed, any field
// holding a personal number in clear, collections nobody has described, who may see
// each set (the permission table), how long it is kept (the settings), the last
// retention run, and the requests and breaches on file. Markdown, in Vietnamese: the
// basis of the impact assessment.
func (a *app) privacyReport(ctx context.Context, st *store.Store, out string) error {
	var b strings.Builder
	now := time.Now().In(ansinh.Vietnam)
	fmt.Fprintf(&b, "# Hồ sơ hoạt động xử lý dữ liệu cá nhân – ansinh\n\n")
	fmt.Fprintf(&b, "Lập từ hệ thống đang chạy lúc %s. Địa bàn: %s (danh mục đơn vị %s). Kho dữ liệu: %s, cơ sở dữ liệu `%s`.\n\n",
		now.Format("15:04 02/01/2006"), a.units.Root.Name, a.sets.Current().ID, storeKind(a.cfg), a.cfg.DBName)
	b.WriteString("Căn cứ: Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15, Nghị định 356/2025/NĐ-CP. Tài liệu này là cơ sở của hồ sơ " +
		"đánh giá tác động xử lý dữ liệu cá nhân.\n\n")
	b.WriteString("Mã hóa: các trường “mã hóa” lưu bằng AES-256-GCM với khóa dẫn xuất từ ANSINH_DATA_KEY (HKDF-SHA256), gắn với " +
		"vị trí của trường; tìm kiếm qua chỉ mục mù HMAC-SHA256. Nhật ký chạy không bao giờ hiện đủ một dãy từ 9 chữ số.\n\n")

	names, err := st.Collections(ctx)
	if err != nil {
		return err
	}
	present := map[string]bool{}
	for _, n := range names {
		present[n] = true
	}
	described := map[string]bool{}
	for _, c := range ansinh.OperationalCollections {
		described[c] = true
	}
	var problems []string
	for i, ds := range ansinh.Inventory {
		fmt.Fprintf(&b, "## %d. %s\n\n", i+1, ds.Name)
		fmt.Fprintf(&b, "- **Mục đích:** %s\n- **Căn cứ xử lý:** %s\n- **Dữ liệu thu thập:** %s\n", ds.Purpose, ds.Basis, ds.Fields)
		if ds.Sensitive != "" {
			fmt.Fprintf(&b, "- **Dữ liệu nhạy cảm:** %s\n", ds.Sensitive)
		}
		if len(ds.Sealed) > 0 {
			fmt.Fprintf(&b, "- **Mã hóa:** `%s`\n", strings.Join(ds.Sealed, "`, `"))
		}
		if ds.Indexed != "" {
			fmt.Fprintf(&b, "- **Tìm qua chỉ mục mù:** %s\n", ds.Indexed)
		}
		clearOnPurpose := slices.Sorted(maps.Keys(ds.Clear))
		for _, f := range clearOnPurpose {
			fmt.Fprintf(&b, "- **Lưu dạng rõ có chủ ý:** `%s`: %s\n", f, ds.Clear[f])
		}
		fmt.Fprintf(&b, "- **Ai xem được:** %s\n", viewers(ds.Viewers))
		fmt.Fprintf(&b, "- **Thời hạn lưu:** %s\n", ds.Retention(a.cfg.Retention))
		b.WriteString("- **Nơi lưu (kho đang chạy):**\n")
		for _, col := range ds.Collections {
			described[col] = true
			if !present[col] {
				fmt.Fprintf(&b, "  - `%s`: chưa có\n", col)
				continue
			}
			in, err := st.InspectCollection(ctx, col, ds.Sealed, clearOnPurpose, reportSample)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "  - `%s`: %d bản ghi", col, in.Documents)
			var seen []string
			for _, f := range ds.Sealed {
				if n := in.Sealed[f]; n > 0 {
					seen = append(seen, fmt.Sprintf("`%s` %d", f, n))
				}
			}
			if len(seen) > 0 {
				fmt.Fprintf(&b, "; trong %d bản ghi đọc thử có trường mã hóa: %s", in.Sampled, strings.Join(seen, ", "))
			}
			if len(in.ClearNumbers) > 0 {
				fmt.Fprintf(&b, "; **CẢNH BÁO: có số dạng rõ ở `%s`**", strings.Join(in.ClearNumbers, "`, `"))
				problems = append(problems, col+": "+strings.Join(in.ClearNumbers, ", "))
			} else if in.Sampled > 0 {
				b.WriteString("; không thấy số CCCD, tài khoản, điện thoại dạng rõ")
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	var unknown []string
	for _, n := range names {
		if !described[n] {
			unknown = append(unknown, n)
		}
	}
	b.WriteString("## Kiểm tra\n\n")
	if len(unknown) > 0 {
		fmt.Fprintf(&b, "- **Bảng chưa được mô tả trong hồ sơ:** `%s` — cần bổ sung trước khi nộp.\n", strings.Join(unknown, "`, `"))
	} else {
		b.WriteString("- Mọi bảng của kho đều được mô tả ở trên hoặc không chứa dữ liệu cá nhân (số liệu tổng hợp, lịch chạy, khóa dùng chung).\n")
	}
	if len(problems) > 0 {
		fmt.Fprintf(&b, "- **Có số cá nhân dạng rõ:** %s.\n", strings.Join(problems, "; "))
	} else {
		b.WriteString("- Không bản ghi đọc thử nào chứa số CCCD, tài khoản hay điện thoại dạng rõ.\n")
	}
	evs, err := st.AuditEvents(ctx, store.AuditFilter{Action: ansinh.ActionRetention, Limit: 1})
	if err != nil {
		return err
	}
	if len(evs) > 0 {
		d := evs[0].Detail
		fmt.Fprintf(&b, "- Lần xóa theo thời hạn gần nhất: %s — %v đăng ký, %v cuộc trò chuyện, %v sự kiện, %v tin nhắn, %v liên kết.\n",
			evs[0].At.In(ansinh.Vietnam).Format("02/01/2006 15:04"), d["submissions"], d["conversations"], d["events"], d["messages"], d["chat_links"])
	} else {
		b.WriteString("- Chưa có lần xóa theo thời hạn nào xóa dữ liệu (việc chạy hằng ngày khi dịch vụ chạy).\n")
	}
	communes := a.units.Leaves(a.units.Root.Code)
	open, err := st.PrivacyRequests(ctx, communes, true, 100000)
	if err != nil {
		return err
	}
	late := 0
	for _, r := range open {
		if time.Now().After(r.Due) {
			late++
		}
	}
	fmt.Fprintf(&b, "- Yêu cầu của người dân đang chờ: %d, trong đó quá hạn: %d.\n", len(open), late)
	breaches, err := st.Breaches(ctx, 100000)
	if err != nil {
		return err
	}
	unreported := 0
	for _, br := range breaches {
		if br.ReportedAt.IsZero() && br.ClosedAt.IsZero() {
			unreported++
		}
	}
	fmt.Fprintf(&b, "- Sổ vi phạm: %d sự việc, %d chưa báo cáo.\n\n", len(breaches), unreported)

	b.WriteString("## Vai trò và quyền\n\n| Quyền | ")
	for _, r := range ansinh.Roles {
		b.WriteString(r.Label() + " | ")
	}
	b.WriteString("\n|---|")
	for range ansinh.Roles {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, act := range ansinh.Actions {
		fmt.Fprintf(&b, "| `%s` | ", act)
		for _, r := range ansinh.Roles {
			if r.Can(act) {
				b.WriteString("✓ | ")
			} else {
				b.WriteString(" | ")
			}
		}
		b.WriteString("\n")
	}
	if out == "" {
		_, err := io.WriteString(a.stdout, b.String())
		return err
	}
	return os.WriteFile(out, []byte(b.String()), 0o600)
}

// viewers names the roles that may do any of the actions.
func viewers(acts []ansinh.Action) string {
	if len(acts) == 0 {
		return "Không cán bộ nào (không có trang nào hiện dữ liệu này)."
	}
	var out []string
	for _, r := range ansinh.Roles {
		for _, act := range acts {
			if r.Can(act) {
				out = append(out, r.Label())
				break
			}
		}
	}
	return strings.Join(out, "; ") + ", trong phạm vi đơn vị của mình."
}

func storeKind(c ansinh.Config) string {
	if c.MongoURI == "" {
		return "kho nhúng (FerretDB trên SQLite, tệp trong " + c.DataDir + ")"
	}
	return "MongoDB"
}
