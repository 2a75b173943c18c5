package ansinh

import "time"

// A Job is long work that runs apart from the request that asked for it: the request
// stores what the work needs and answers at once; the job's record says how far it got
// and, at the end, what it did. A job left running by a crash is run again at start-up.
type Job struct {
	ID       string    `json:"id"` // also the id of the import report it ends in
	Kind     string    `json:"kind"`
	Status   string    `json:"status"`
	By       string    `json:"-"`
	Role     Role      `json:"-"`
	Unit     string    `json:"-"`
	IP       string    `json:"-"`
	File     string    `json:"file"`     // the uploaded file's name
	FileHash string    `json:"-"`        // keyed hash of its content: one job per file at a time
	UnitSet  string    `json:"unit_set"` // the set the file's codes are in
	Size     int64     `json:"-"`
	Started  time.Time `json:"started_at"`
	Finished time.Time `json:"finished_at,omitzero"`
	// Done and Total count the file's rows; Errors the row errors found so far.
	Done   int `json:"done"`
	Total  int `json:"total"`
	Errors int `json:"errors"`
	// Runs counts the times the job was started: more than one when a restart took it up.
	Runs int `json:"runs"`
	// Message says why a failed job stopped (in Vietnamese, for the staff).
	Message string `json:"message,omitempty"`
	// What a failed job had stored when it stopped.
	Inserted  int `json:"inserted"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// Job kinds.
const (
	JobImportBeneficiaries = "import_beneficiaries"
)

// Job statuses.
const (
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)
