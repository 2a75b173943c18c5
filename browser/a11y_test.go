package browser_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// a11yScript checks the page in the browser and returns an a11yReport. It needs
// JavaScript evaluation, so run it on pages opened with scripts on.
//
//   - every input, select and textarea (but type=hidden) has a label: label[for=id] or
//     a wrapping label;
//   - every element with aria-invalid="true" has aria-describedby, and each id in it
//     names an existing element with non-empty text;
//   - every visible button, link, input and select in a form is at least 44 px high;
//     a checkbox or radio button is measured by its wrapping label;
//   - every visible text (an element with its own text, a text field, a select, a
//     placeholder) has a contrast of at least 4.5:1 against the nearest
//     non-transparent background up the ancestors (WCAG relative luminance).
const a11yScript = `(() => {
  const r = {unlabelled: [], described: [], small: [], contrast: [], links: [], lowest: {ratio: 99, what: ''},
    counts: {fields: 0, invalid: 0, targets: 0, texts: 0}};
  const visible = el => el.getClientRects().length > 0 &&
    el.checkVisibility({visibilityProperty: true, opacityProperty: true});
  const name = el => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    else if (el.getAttribute('name')) s += '[name=' + el.getAttribute('name') + ']';
    else if (el.className) s += '.' + String(el.className).trim().split(/\s+/).join('.');
    if (el.tagName === 'INPUT') s += '[type=' + el.type + ']';
    if (el.tagName === 'INPUT' && (el.type === 'radio' || el.type === 'checkbox')) s += '[value=' + el.value + ']';
    const t = (el.textContent || '').trim().replace(/\s+/g, ' ');
    if (t && !['SELECT', 'FORM', 'FIELDSET'].includes(el.tagName)) s += ' "' + t.slice(0, 40) + '"';
    return s;
  };

  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden') continue;
    r.counts.fields++;
    const byFor = el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]');
    if (!byFor && !el.closest('label')) {
      let how = el.getAttribute('aria-label') ? ' (has only aria-label "' + el.getAttribute('aria-label') + '")' : '';
      if (el.placeholder) how += ' (placeholder "' + el.placeholder + '")';
      r.unlabelled.push(name(el) + how);
    }
  }

  for (const el of document.querySelectorAll('[aria-invalid="true"]')) {
    r.counts.invalid++;
    const ids = (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
    if (!ids.length) { r.described.push(name(el) + ': no aria-describedby'); continue; }
    for (const id of ids) {
      const d = document.getElementById(id);
      if (!d) r.described.push(name(el) + ': aria-describedby names #' + id + ', which does not exist');
      else if (!d.textContent.trim()) r.described.push(name(el) + ': #' + id + ' has no text');
    }
  }

  for (const el of document.querySelectorAll('form button, form a[href], form input:not([type=hidden]), form select')) {
    if (!visible(el)) continue;
    r.counts.targets++;
    let box = el, what = name(el);
    if (el.type === 'checkbox' || el.type === 'radio') {
      box = el.closest('label');
      if (!box) { r.small.push(what + ': no wrapping label to tap'); continue; }
      what += ' (its label)';
    }
    const h = box.getBoundingClientRect().height;
    if (h < 44) r.small.push(what + ': ' + h.toFixed(1) + ' px high');
  }
  for (const a of document.querySelectorAll('a[href]')) {
    if (visible(a)) r.links.push({text: a.textContent.trim(), height: a.getBoundingClientRect().height});
  }

  const parse = s => {
    const m = /^rgba?\(([^)]*)\)$/.exec(s.trim());
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    if (p.length < 3 || p.some(isNaN)) return null;
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const over = (top, under) => ({r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a), a: 1});
  const background = el => {
    const layers = [];
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    let bg = {r: 255, g: 255, b: 255, a: 1}; // the canvas
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return bg;
  };
  const lum = c => {
    const ch = v => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * ch(c.r) + 0.7152 * ch(c.g) + 0.0722 * ch(c.b);
  };
  const ratio = (fg, bg) => { const a = lum(fg), b = lum(bg); return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); };
  const rgb = c => 'rgb(' + [c.r, c.g, c.b].map(Math.round).join(',') + ')';
  const check = (el, colour, what) => {
    r.counts.texts++;
    const fgRaw = parse(colour);
    if (!fgRaw) { r.contrast.push(what + ': cannot read the colour ' + colour); return; }
    const bg = background(el), fg = fgRaw.a < 1 ? over(fgRaw, bg) : fgRaw;
    const cr = ratio(fg, bg);
    if (cr < r.lowest.ratio) r.lowest = {ratio: cr, what: what + ' (' + rgb(fg) + ' on ' + rgb(bg) + ')'};
    if (cr < 4.5) r.contrast.push(what + ': ' + cr.toFixed(2) + ':1 (' + rgb(fg) + ' on ' + rgb(bg) + ')');
  };
  const textFields = ['text', 'search', 'tel', 'number', 'email', 'url', 'password'];
  for (const el of document.body.querySelectorAll('*')) {
    if (['SCRIPT', 'STYLE', 'OPTION', 'OPTGROUP', 'TEMPLATE', 'NOSCRIPT'].includes(el.tagName) || !visible(el)) continue;
    const field = (el.tagName === 'INPUT' && textFields.includes(el.type)) || el.tagName === 'SELECT' || el.tagName === 'TEXTAREA';
    const ownText = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (field || ownText) check(el, getComputedStyle(el).color, name(el));
    if (field && el.placeholder) check(el, getComputedStyle(el, '::placeholder').color, name(el) + ' placeholder "' + el.placeholder + '"');
  }
  return r;
})()`

type a11yReport struct {
	Unlabelled []string `json:"unlabelled"`
	Described  []string `json:"described"`
	Small      []string `json:"small"`
	Contrast   []string `json:"contrast"`
	Links      []struct {
		Text   string  `json:"text"`
		Height float64 `json:"height"`
	} `json:"links"`
	Lowest struct {
		Ratio float64 `json:"ratio"`
		What  string  `json:"what"`
	} `json:"lowest"`
	Counts struct {
		Fields  int `json:"fields"`
		Invalid int `json:"invalid"`
		Targets int `json:"targets"`
		Texts   int `json:"texts"`
	} `json:"counts"`
}

// checkA11y runs the accessibility checks on the current page, as a subtest named
// "a11y-<page>", so that a failure names the page and the rest of the flow goes on.
func checkA11y(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	t.Run("a11y-"+page, func(t *testing.T) {
		r := eval[a11yReport](t, ctx, a11yScript)
		if r.Counts.Texts == 0 {
			t.Fatalf("%s: no visible text found: the check ran on an empty page", page)
		}
		for _, c := range []struct {
			rule     string
			problems []string
		}{
			{"every input/select/textarea has a <label>", r.Unlabelled},
			{"aria-invalid fields are described by an existing, non-empty element", r.Described},
			{"form controls are at least 44 px high", r.Small},
			{"text contrast is at least 4.5:1", r.Contrast},
		} {
			for _, p := range c.problems {
				t.Errorf("%s: %s: %s", page, c.rule, p)
			}
		}
		for _, l := range r.Links {
			if l.Height < 44 {
				// Outside the forms: not asserted, but told (CSS gives a min-height of
				// 44px to every link, which an inline link ignores).
				t.Logf("%s: note: link %q is %.1f px high", page, l.Text, l.Height)
			}
		}
		t.Logf("%s: checked %d fields, %d invalid, %d targets, %d texts; lowest contrast %.2f:1, %s",
			page, r.Counts.Fields, r.Counts.Invalid, r.Counts.Targets, r.Counts.Texts, r.Lowest.Ratio, r.Lowest.What)
	})
}

// TestA11yChecker makes sure the checks find what they look for, so that a page that
// passes them passes for a reason.
func TestA11yChecker(t *testing.T) {
	ctx := startBrowser(t, true)
	const bad = `<!doctype html><html><body style="background:#fff">
<form>
  <input id="nolabel" name="nolabel" style="height:50px">
  <input id="wrong" aria-invalid="true" aria-describedby="missing empty" style="height:50px"><label for="wrong">Sai</label>
  <p id="empty"> </p>
  <button style="height:20px;min-height:0">Nhỏ</button>
  <p style="color:#aaa">Chữ nhạt</p>
</form></body></html>`
	do(t, ctx, "open the bad page", chromedp.Navigate("data:text/html;charset=utf-8,"+url.PathEscape(bad)))
	r := eval[a11yReport](t, ctx, a11yScript)
	for _, c := range []struct {
		rule     string
		problems []string
		want     []string // each must appear in one problem
	}{
		{"labels", r.Unlabelled, []string{"input#nolabel"}},
		{"aria-describedby", r.Described, []string{"#missing, which does not exist", "#empty has no text"}},
		{"44 px", r.Small, []string{"button"}},
		{"contrast", r.Contrast, []string{"Chữ nhạt"}},
	} {
		for _, w := range c.want {
			if !slices.ContainsFunc(c.problems, func(p string) bool { return strings.Contains(p, w) }) {
				t.Errorf("%s check missed %q; found %q", c.rule, w, c.problems)
			}
		}
	}
	if len(r.Unlabelled) != 1 {
		t.Errorf("labels check: %q, want only input#nolabel", r.Unlabelled)
	}
}
