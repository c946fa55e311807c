// Package inventory is the system of record of SPEC §3: agencies, the
// facilities they run systems in, the systems with their grades, placements,
// redundancy, backup policy and recovery targets, the services people depend
// on, and the dependencies between systems. It owns their rules and SQL.
package inventory

import "time"

// Agency is the ministry itself or one of the bodies under it.
type Agency struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	ShortName string    `json:"short_name"`
	ParentID  *int64    `json:"parent_id"`
	Contact   string    `json:"contact"`
	Sample    bool      `json:"sample"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Operator types of a facility, as the plan counts them.
const (
	OperatorNIRS    = "nirs"    // 국가정보자원관리원
	OperatorSelf    = "self"    // 자체 운영
	OperatorPrivate = "private" // 민간 위탁
)

// Operators in the order the plan lists them.
var Operators = []string{OperatorNIRS, OperatorSelf, OperatorPrivate}

// Facility is a place where systems run: a data centre or a server room.
type Facility struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Operator     string `json:"operator"`
	OperatorName string `json:"operator_name"`
	Region       string `json:"region"`
	Address      string `json:"address"`
	// Conditions is the facility checklist of plan 2-3 (SPEC §4.7): item key
	// (see ConditionItems) to yes, no or unknown; a missing item is unknown.
	Conditions map[string]string `json:"conditions"`
	// Findings are what a site survey wrote down (참고 4), one per line.
	Findings  string    `json:"findings"`
	Surveyed  bool      `json:"surveyed"`
	Sample    bool      `json:"sample"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ConditionItems are the facility conditions of plan 2-3, in its order, plus
// the risk flag the NIRS fire taught: UPS batteries in the server room.
var ConditionItems = []string{
	"windowless",          // 창문 없는 구조
	"load_seismic",        // 하중·내진 설계
	"separate_access",     // 분리된 출입 동선
	"dual_power",          // 이중화된 전력공급
	"ups",                 // 무정전전원장치
	"generator",           // 비상발전기
	"hvac",                // 항온·항습
	"fire_suppression",    // 소화·방재
	"grounding_shielding", // 접지·전자기파 차폐
	"security_zones",      // 보안구역
	"cctv",                // CCTV 및 녹화
	"professional_staff",  // 전문 운영 인력
	"low_natural_risk",    // 자연재해 위험 낮은 지역
	"ups_in_server_room",  // 위험: UPS 배터리가 서버와 같은 공간
}

// Tri-state answers used by checklists and survey fields.
const (
	Unknown = "unknown"
	No      = "none"
	Yes     = "yes"
)

// DR performance relative to the primary site.
const (
	DRNone    = "none"
	DRPartial = "partial"
	DRSimilar = "similar"
)

// DRPerformances lists the allowed DR performance values.
var DRPerformances = []string{Unknown, DRNone, DRPartial, DRSimilar}

// OffsiteMethods lists how an offsite (소산) copy leaves the facility.
var OffsiteMethods = []string{Unknown, No, "replication", "tape_staff", "tape_courier", "cloud", "other"}

// Layers are the parts of a system whose redundancy the plan asks about.
var Layers = []string{"power", "network", "web", "was", "db", "storage"}

// System is an information system (정보시스템).
type System struct {
	ID       int64  `json:"id"`
	AgencyID int64  `json:"agency_id"`
	Name     string `json:"name"`
	// Grade is 1 to 4, or 0 when none has been given (미부여).
	Grade             int      `json:"grade"`
	ScoreImpact       *float64 `json:"score_impact"`
	ScoreUsers        *float64 `json:"score_users"`
	ScoreSpread       *float64 `json:"score_spread"`
	Users             *int64   `json:"users"`
	Description       string   `json:"description"`
	CriticalFunctions string   `json:"critical_functions"`

	PrimaryFacilityID *int64 `json:"primary_facility_id"`
	DRFacilityID      *int64 `json:"dr_facility_id"`
	DRPerformance     string `json:"dr_performance"`
	DRNote            string `json:"dr_note"`

	// Redundancy maps each of Layers to yes, none or unknown.
	Redundancy map[string]string `json:"redundancy"`

	// Backup intervals: nil is unknown, 0 is "not done".
	BackupFullEvery *Minutes `json:"backup_full_every_minutes"`
	BackupIncrEvery *Minutes `json:"backup_incr_every_minutes"`
	OffsiteMethod   string   `json:"offsite_method"`
	OffsiteEvery    *Minutes `json:"offsite_every_minutes"`

	RTODisaster *Minutes `json:"rto_disaster_minutes"`
	RPODisaster *Minutes `json:"rpo_disaster_minutes"`
	RTOFailure  *Minutes `json:"rto_failure_minutes"`
	RPOFailure  *Minutes `json:"rpo_failure_minutes"`

	// Manual says whether an operations manual exists (yes, none, unknown).
	Manual         string `json:"manual"`
	ManualFallback string `json:"manual_fallback"`
	OwnerPrimary   string `json:"owner_primary"`
	OwnerSecondary string `json:"owner_secondary"`
	Vendor         string `json:"vendor"`

	Endpoints []Endpoint `json:"endpoints"`

	// Surveyed is true for systems covered by the written survey; the
	// survey figures count only these.
	Surveyed  bool      `json:"surveyed"`
	Sample    bool      `json:"sample"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Endpoint is an address at which a system can be probed.
type Endpoint struct {
	Kind   string `json:"kind"`
	Target string `json:"target"`
}

// Service is a function people depend on, supported by systems.
type Service struct {
	ID               int64     `json:"id"`
	AgencyID         int64     `json:"agency_id"`
	Name             string    `json:"name"`
	Audience         string    `json:"audience"`
	Description      string    `json:"description"`
	MTPD             *Minutes  `json:"mtpd_minutes"`
	RTO              *Minutes  `json:"rto_minutes"`
	RPO              *Minutes  `json:"rpo_minutes"`
	ManualWorkaround string    `json:"manual_workaround"`
	SystemIDs        []int64   `json:"system_ids"`
	Sample           bool      `json:"sample"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// Audiences of a service.
var Audiences = []string{"public", "internal"}

// Dependency says that one system needs another.
type Dependency struct {
	ID           int64     `json:"id"`
	FromSystemID int64     `json:"from_system_id"`
	ToSystemID   int64     `json:"to_system_id"`
	Kind         string    `json:"kind"`
	Note         string    `json:"note"`
	CreatedAt    time.Time `json:"created_at"`
}

// DependencyKinds lists what a dependency can be.
var DependencyKinds = []string{"interface", "auth", "database", "network", "other"}

// DeclaredFigure is a number a source document states, e.g. "기술교육대 has
// 28 systems" in the plan's agency table, kept to be checked against records.
type DeclaredFigure struct {
	ID         int64   `json:"id"`
	Source     string  `json:"source"`
	AgencyID   *int64  `json:"agency_id"`
	FacilityID *int64  `json:"facility_id"`
	Metric     string  `json:"metric"`
	Value      float64 `json:"value"`
	Note       string  `json:"note"`
}
