package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/template/html/v2"

	"ansinh"
	"ansinh/templates"
)

// newViews parses every template now, so that a broken one stops the start-up.
// site is what every page says about who runs the service: the place, and the
// departments each programme answers to (SPEC §1a), from the unit set and settings.
type site struct {
	Place       string // "Cần Thơ"
	Departments []siteDepartment
}

type siteDepartment struct {
	Name     string   // "Sở Y tế thành phố Cần Thơ"
	Programs []string // "bảo trợ xã hội", …
}

func newSite(set *ansinh.UnitSet, programs map[ansinh.Group]ansinh.Program) site {
	s := site{Place: ansinh.PlaceName(set.Units.Root)}
	for _, g := range ansinh.Groups {
		p := ansinh.ProgramOf(programs, g)
		name, label := p.DepartmentOf(set), strings.ToLower(g.Label())
		if i := slices.IndexFunc(s.Departments, func(d siteDepartment) bool { return d.Name == name }); i >= 0 {
			s.Departments[i].Programs = append(s.Departments[i].Programs, label)
		} else {
			s.Departments = append(s.Departments, siteDepartment{Name: name, Programs: []string{label}})
		}
	}
	return s
}

func newViews(st site, funcs map[string]any) (*html.Engine, error) {
	sub, err := fs.Sub(templates.Views, "views")
	if err != nil {
		return nil, err
	}
	versions, err := assetVersions()
	if err != nil {
		return nil, err
	}
	engine := html.NewFileSystem(http.FS(sub), ".html")
	engine.AddFunc("asset", func(name string) string {
		return "/static/" + name + "?v=" + versions[name]
	})
	engine.AddFunc("site", func() site { return st })
	engine.AddFunc("program", func(g ansinh.Group) string { return g.Label() })
	engine.AddFunc("can", func(u *ansinh.User, a string) bool { return u != nil && u.Role.Can(ansinh.Action(a)) })
	engine.AddFunc("vndate", ansinh.DisplayDate)
	engine.AddFunc("identity", ansinh.IdentityStateLabel)
	engine.AddFunc("neg", func(n int) int { return -n })
	engine.AddFunc("fmtTime", func(t time.Time) string { return t.Format("15:04 02/01/2006") })
	engine.AddFunc("vntime", func(t time.Time) string { return t.In(ansinh.Vietnam).Format("02/01/2006 15:04") })
	// vnday is the day of t in Vietnam: a time read back from the store is in UTC, seven
	// hours behind, and its day is the day before from midnight to seven.
	engine.AddFunc("vnday", func(t time.Time) string { return t.In(ansinh.Vietnam).Format("02/01/2006") })
	engine.AddFunc("vnnum", ansinh.FormatCount)
	engine.AddFunc("vnpct", ansinh.FormatPercent)
	engine.AddFunc("vnmonth", ansinh.FormatMonth)
	engine.AddFunc("waited", ansinh.MsgWaited)
	engine.AddFunc("vnchange", ansinh.FormatChange)
	engine.AddFunc("pct", func(r float64) float64 { return r * 100 })
	engine.AddFunc("gap", gap)
	engine.AddFunc("receipt", ansinh.FormatReceipt)
	engine.AddFunc("channel", ansinh.ChannelLabel)
	engine.AddFunc("field", func(name, label, hint, kind string, f *formView) inputField {
		return inputField{Name: name, Label: label, Hint: hint, Kind: kind, Value: f.Values[name], Error: f.Errors[name]}
	})
	for name, fn := range funcs {
		engine.AddFunc(name, fn)
	}
	if err := engine.Load(); err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	return engine, nil
}

// assetVersions hashes each static file, so its URL changes with its content and
// browsers may cache it for a year.
func assetVersions() (map[string]string, error) {
	v := map[string]string{}
	err := fs.WalkDir(templates.Static, "static", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templates.Static, path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		v[path[len("static/"):]] = hex.EncodeToString(sum[:4])
		return nil
	})
	return v, err
}

// staticFiles serves the embedded assets, and answers 404 for any other path under
// /static (a directory, "/static/" itself: the filesystem middleware answered 500).
func staticFiles() (fiber.Handler, error) {
	sub, err := fs.Sub(templates.Static, "static")
	if err != nil {
		return nil, err
	}
	known, err := assetVersions()
	if err != nil {
		return nil, err
	}
	serve := filesystem.New(filesystem.Config{Root: http.FS(sub), MaxAge: 365 * 24 * 3600})
	return func(c *fiber.Ctx) error {
		if _, ok := known[strings.TrimPrefix(c.Path(), "/static/")]; !ok {
			return fiber.ErrNotFound
		}
		return serve(c)
	}, nil
}

// inputField is one labelled input of a form, with its value and error.
type inputField struct {
	Name, Label, Hint, Kind, Value, Error string
}
