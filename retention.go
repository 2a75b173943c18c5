package ansinh

import "time"

// RetentionConfig says how long personal data is kept once its purpose is served
// (Law 91/2025/QH15: no longer than the purpose needs). A scheduled job erases it.
type RetentionConfig struct {
	// Submissions: a rejected or superseded submission keeps the account, holder
	// name, phone and proxy it carried this long after the decision (or the newer
	// submission), then they are erased; the fact of the submission stays (receipt,
	// person, commune, channel, dates, consent given), as the audit trail does.
	Submissions time.Duration
	// Chat: a conversation's state, the received events and the sent messages are
	// deleted this long after their last activity, and the link of a decided
	// submission to its chat user this long after the decision.
	Chat time.Duration
}

// The periods when unset.
//
// 90 days for submissions: a person may complain against an administrative decision
// within 90 days of learning of it (Law on Complaints 02/2011/QH13, art. 9), and the
// commune answers a complaint from the submission it rejected; after that nobody
// needs the account of a submission that was never paid into.
//
// 30 days for the chat: a conversation starts over after 30 minutes idle, and the
// Official Account may answer only within 7 days of the person's last message; a month
// leaves time to answer a question about a conversation or a lost notice, and then
// none of it serves anything.
const (
	DefaultRetentionSubmissions = 90 * 24 * time.Hour
	DefaultRetentionChat        = 30 * 24 * time.Hour
	// The shortest periods accepted: less would erase a submission before the
	// complaint window, or events while Zalo may still deliver them again.
	MinRetentionSubmissions = 30 * 24 * time.Hour
	MinRetentionChat        = 24 * time.Hour
)

// RetentionReport is what one run of the retention job erased (or, in a dry run,
// would erase).
type RetentionReport struct {
	Submissions   int  `json:"submissions"`   // rejected or superseded submissions whose personal data was erased
	Conversations int  `json:"conversations"` // chat states deleted
	Events        int  `json:"events"`        // received chat events deleted
	Messages      int  `json:"messages"`      // sent or failed chat messages deleted
	ChatLinks     int  `json:"chat_links"`    // receipt → chat user links deleted
	Drafts        int  `json:"drafts"`        // expired drafts of the web form deleted
	DraftPhotos   int  `json:"draft_photos"`  // authorisation photos of those drafts (or of none) deleted
	DryRun        bool `json:"dry_run,omitempty"`
}

// Total is how many records the run touched.
func (r *RetentionReport) Total() int {
	return r.Submissions + r.Conversations + r.Events + r.Messages + r.ChatLinks + r.Drafts + r.DraftPhotos
}
