// Package scenario estimates what a system can really achieve (issue ③,
// SPEC §4.3): its recovery time and data loss under four named scenarios,
// from the inventory's records — redundancy per layer, DR placement and
// performance, backup and offsite schedule — and, where backup jobs report
// runs, the data loss measured from them (EstimateMeasured). It is a pure
// function; every estimate carries its reasoning as catalogue keys.
//
// Scenarios:
//
//	component      one part (a power feed, switch, web/WAS/DB server, storage) fails
//	facility_loss  the primary facility is lost with everything in it
//	regional       every facility in the primary's region is lost
//	ransomware     every online copy, replicas included, is encrypted
//
// Rules, in the order they are applied. A "copy outside" is the copy the
// offsite method takes out of the primary facility; the inventory
// records no place for local backups, so they are taken to live in the
// primary facility.
//
//	scenario       input                                   RTO                          RPO
//	component      all six layers redundant (yes)          ComponentSwitchover (30 min) —
//	component      a layer not redundant (none)            ComponentRestore (8 h)       —
//	component      no layer none, some unknown             unknown                      —
//	component      DB and storage both redundant           —                            0 (the twin holds the data)
//	component      otherwise                               —                            shortest known backup interval
//	                                                                                    (incremental, else full); both
//	                                                                                    0 → unbounded; else unknown
//	facility_loss  primary facility not recorded           unknown                      unknown
//	facility_loss  DR similar, at another facility         DRSwitchover (2 h)           from the copy outside (below)
//	facility_loss  DR partial, at another facility         RebuildElsewhere (72 h):     from the copy outside
//	                                                       reduced service only
//	facility_loss  DR none / in the primary facility       RebuildElsewhere (72 h) if   from the copy outside
//	                                                       a copy outside exists,
//	                                                       unbounded if none
//	facility_loss  DR declared but site not recorded,      unknown                      from the copy outside
//	               or DR performance unknown
//	copy outside   offsite method none, or interval 0      —                            unbounded: the only copy
//	                                                                                    burns with the facility
//	copy outside   replication                             —                            offsite interval if recorded,
//	                                                                                    else ReplicationLag (15 min)
//	copy outside   tape_staff, tape_courier                —                            interval + TapeTransit (24 h)
//	copy outside   cloud, other                            —                            interval
//	copy outside   method unknown, or interval not known   —                            unknown
//	copy outside   none, but a DR site survives            —                            unknown: how current the DR
//	                                                                                    site's data is goes unrecorded
//	regional       as facility_loss, and
//	regional       primary's region not recorded           unknown                      unknown
//	regional       DR site in the primary's region         DR counts as lost            replica (taken to sit at the
//	                                                                                    DR site) lost too
//	regional       DR site's region not recorded           unknown                      —
//	regional       tape, cloud, other copy; replication    at least RebuildElsewhere    at least the copy's age: where
//	               with no DR site recorded, or DR site's  when rebuilt from the copy   it is kept is not recorded, and
//	               region not recorded                                                  if lost, nothing is recovered
//	lost set       several facilities lost at once (a      as facility_loss, and
//	               what-if, see WhatIf), primary among them
//	lost set       DR site among the lost facilities       DR counts as lost            replica (taken to sit at the
//	                                                                                    DR site) lost too
//	lost set       tape, cloud, other copy; replication    at least RebuildElsewhere    at least the copy's age: it
//	               with no DR site recorded                when rebuilt from the copy   may be in another lost facility
//	ransomware     offsite by tape (staff or courier)      RansomwareRestore (24 h)     offsite interval
//	ransomware     replication, none, or interval 0        unbounded                    unbounded: replicas and
//	                                                                                    online backups are encrypted
//	ransomware     cloud, other                            unknown                      unknown: immutability is not
//	                                                                                    recorded
//	ransomware     method unknown or interval unknown      unknown                      unknown
//
// Measured beats declared (issue 7): a system whose backup jobs report runs
// is estimated with the data loss measured from them (Measured) in place
// of its recorded backup and offsite schedule, and what follows from the
// data loss follows the measurement:
//
//	scenario       measured                                RTO                          RPO
//	component      DB and storage both redundant           as above                     0 (the twin holds the data)
//	component      otherwise                               as above                     the newest good copy's age
//	facility_loss  a copy outside the primary facility     as above, from that copy     its age
//	facility_loss  none outside; DR similar or partial     as above                     unknown (dr.data_unreported)
//	               elsewhere
//	facility_loss  replication to a DR site not known      as above                     the replication lag as
//	               lost, and no newer copy measured                                     recorded: a replica is not a
//	                                                                                    backup run and is not reported
//	regional       a copy in a facility of another         as above, from that copy     its age
//	               region (the measurement weighs each
//	               copy's facility's region)
//	regional       a newer copy in a facility of           as above, at least           at least its age
//	               unrecorded region
//	lost set       a copy in a facility not lost           as above, from that copy     its age, exactly (its
//	                                                                                    facility is known)
//	regional,      replication to a DR site of unrecorded  as above                     at least the replication lag
//	lost set       region or performance, no newer copy
//	ransomware     an offline or immutable copy            RansomwareRestore (24 h)     its age
//	ransomware     none                                    unbounded                    unbounded
//
// A similar DR site is taken to take over in 2 h, a constant chosen equal
// to the plan's grade-1 RTO minimum (an assumption, not a measurement), so on paper a
// grade-1 system with similar DR elsewhere and replication meets its
// 2 h / 1 h disaster targets; drill timings are to replace the constants
// when they are recorded. Nothing unknown is guessed: a missing record gives
// an Unknown bound and a reason saying what is missing. A copy of unrecorded
// place in a wider loss gives a lower bound (AtLeast) rather than an unknown
// one, so that losing more never looks better than losing less: what
// misses when one facility is lost still misses when its region is.
package scenario

import (
	"fmt"
	"time"

	"yeonsok/internal/inventory"
	"yeonsok/internal/locale"
)

// Scenario kinds; each has a catalogue name scenario.kind.<kind>.
const (
	Component    = "component"
	FacilityLoss = "facility_loss"
	Regional     = "regional"
	Ransomware   = "ransomware"
)

// Kinds lists the scenarios in the order pages show them.
var Kinds = []string{Component, FacilityLoss, Regional, Ransomware}

// The documented constants of the rules (see the package table).
var (
	ComponentSwitchover = inventory.Minutes(30)
	ComponentRestore    = inventory.Hours(8)
	DRSwitchover        = inventory.Hours(2)
	RebuildElsewhere    = inventory.Hours(72)
	ReplicationLag      = inventory.Minutes(15)
	TapeTransit         = inventory.Hours(24)
	RansomwareRestore   = inventory.Hours(24)
)

// Bound is an estimated recovery time or data loss: a number of minutes,
// or unbounded (never recovered), or unknown (the records do not say). With
// AtLeast, Minutes is only a lower bound: the copy it rests on is kept where
// the records do not say and may have been lost too, and then an older copy
// is recovered, or nothing.
type Bound struct {
	Minutes   inventory.Minutes `json:"minutes"`
	Unbounded bool              `json:"unbounded"`
	Unknown   bool              `json:"unknown"`
	AtLeast   bool              `json:"at_least"`
}

func known(m inventory.Minutes) Bound { return Bound{Minutes: m} }

var (
	unbounded = Bound{Unbounded: true}
	unknown   = Bound{Unknown: true}
)

// Reason is one step of an estimate in plain words: a catalogue key and its
// arguments.
type Reason struct {
	Key  string `json:"key"`
	Args []any  `json:"args,omitempty"`
}

// Message renders the reason in lang.
func (r Reason) Message(lang locale.Lang) string { return locale.T(lang, r.Key, r.Args...) }

// Capability is what a system can achieve under one scenario.
type Capability struct {
	RTO     Bound    `json:"rto"`
	RPO     Bound    `json:"rpo"`
	Reasons []Reason `json:"reasons"`
}

func (c *Capability) say(key string, args ...any) {
	c.Reasons = append(c.Reasons, Reason{Key: "scenario." + key, Args: args})
}

// Measured is a data loss measured from a system's backup runs under a
// scenario (issue 7): how old the newest good copy that survives it is
// (Unbounded: none does; AtLeast: a newer one lies where the records do
// not say whether it survives), and that copy's time.
type Measured struct {
	Bound Bound
	Point time.Time
}

// Estimate gives the capability of s under the scenario kind from the
// records. facilities holds at least the system's primary and DR
// facilities; one missing from it counts as unrecorded.
func Estimate(s *inventory.System, facilities map[int64]*inventory.Facility, kind string) Capability {
	return EstimateMeasured(s, facilities, kind, nil)
}

// EstimateMeasured is Estimate with the data loss m measured under kind in
// place of the recorded backup and offsite schedule; nil m is Estimate.
func EstimateMeasured(s *inventory.System, facilities map[int64]*inventory.Facility, kind string, m *Measured) Capability {
	var c Capability
	switch kind {
	case Component:
		component(&c, s, m)
	case FacilityLoss:
		facilityLoss(&c, s, facilities, loss{}, m)
	case Regional:
		facilityLoss(&c, s, facilities, loss{regional: true}, m)
	case Ransomware:
		ransomware(&c, s, m)
	default:
		c.RTO, c.RPO = unknown, unknown
		c.say("kind_unknown", kind)
	}
	return c
}

// Gap is how far a capability falls short of a target. misses is true when
// the bound is longer than the target or unbounded; gap is the shortfall in
// minutes (0 when met, unbounded, unknown or no target), for a lower bound
// the least shortfall. A missing target, an unknown bound or a lower bound
// within the target never misses here: those cannot be told (see
// Measure.Undecided).
func Gap(target *inventory.Minutes, b Bound) (gap inventory.Minutes, misses bool) {
	if target == nil || b.Unknown {
		return 0, false
	}
	if b.Unbounded {
		return 0, true
	}
	if b.Minutes > *target {
		return b.Minutes - *target, true
	}
	return 0, false
}

func component(c *Capability, s *inventory.System, m *Measured) {
	var none, unsure bool
	for _, layer := range inventory.Layers {
		switch s.Redundancy[layer] {
		case inventory.Yes:
		case inventory.No:
			none = true
			c.say("layer_none", locale.Key("layer."+layer))
		default:
			unsure = true
			c.say("layer_unknown", locale.Key("layer."+layer))
		}
	}
	switch {
	case none:
		c.RTO = known(ComponentRestore)
		c.say("component.restore", locale.Minutes(ComponentRestore))
	case unsure:
		c.RTO = unknown
		c.say("component.rto_unknown")
	default:
		c.RTO = known(ComponentSwitchover)
		c.say("component.switchover", locale.Minutes(ComponentSwitchover))
	}
	switch {
	case dataRedundant(s):
		c.RPO = known(0)
		c.say("component.data_redundant")
	case m != nil:
		c.RPO = c.measured(*m)
	default:
		c.RPO = lastBackup(c, s)
	}
}

// measured says the data loss m was measured from backup runs, and is it.
func (c *Capability) measured(m Measured) Bound {
	switch {
	case m.Bound.Unbounded:
		c.say("backup.measured_none")
	case m.Bound.AtLeast:
		c.say("backup.measured_at_least", locale.Minutes(m.Bound.Minutes), locale.DateTime(m.Point))
	default:
		c.say("backup.measured", locale.Minutes(m.Bound.Minutes), locale.DateTime(m.Point))
	}
	return m.Bound
}

// dataRedundant reports whether a failed part leaves a twin with the data:
// database and storage both redundant.
func dataRedundant(s *inventory.System) bool {
	return s.Redundancy["db"] == inventory.Yes && s.Redundancy["storage"] == inventory.Yes
}

// lastBackup is the age of the newest backup: the shortest known interval.
func lastBackup(c *Capability, s *inventory.System) Bound {
	incr, full := s.BackupIncrEvery, s.BackupFullEvery
	switch {
	case incr != nil && *incr > 0:
		c.say("backup.incr", locale.Minutes(*incr))
		return known(*incr)
	case full != nil && *full > 0:
		c.say("backup.full", locale.Minutes(*full))
		return known(*full)
	case incr != nil && full != nil:
		c.say("backup.none")
		return unbounded
	}
	c.say("backup.unknown")
	return unknown
}

// What becomes of a system's DR site when its primary facility is lost.
const (
	DRNone    = "none"    // there is none
	DRLost    = "lost"    // it is lost too: in the primary facility, or in the loss
	DRCarries = "carries" // it survives with similar performance: full service
	DRReduced = "reduced" // it survives with partial performance: reduced service only
	DRUnknown = "unknown" // the records cannot tell
)

// loss is what a disaster takes with a system's primary facility: nothing
// more (facility loss), every facility of the primary's region (regional),
// or a set of facilities lost at once, the primary among them (a what-if).
type loss struct {
	regional bool
	set      map[int64]bool
}

// wide reports whether the loss reaches beyond the primary facility, so
// that a copy kept where the records do not say may be lost with it.
func (l loss) wide() bool { return l.regional || len(l.set) > 1 }

// facilityLoss estimates c under l, with the copy outside measured by m
// when given, and says what became of the DR site.
func facilityLoss(c *Capability, s *inventory.System, facilities map[int64]*inventory.Facility, l loss, m *Measured) string {
	if s.PrimaryFacilityID == nil {
		c.RTO, c.RPO = unknown, unknown
		c.say("primary_unknown")
		return DRUnknown
	}
	primary := *s.PrimaryFacilityID
	region := ""
	copyLocation := "lost_set.copy_location"
	switch {
	case l.regional:
		f := facilities[primary]
		if f == nil || f.Region == "" {
			c.RTO, c.RPO = unknown, unknown
			c.say("region_unknown", name(facilities, primary))
			return DRUnknown
		}
		region = f.Region
		copyLocation = "regional.copy_location"
		c.say("regional.lost", region)
	case l.wide():
		c.say("lost_set.facilities", len(l.set))
	}

	dr := drState(c, s, facilities, region, l.set)
	copyOut, measured := copyOutside(c, s, dr, m, replicaLost(s, facilities, region, l.set))
	// A measured copy's facility is known, and so is whether the loss
	// takes it (Measured); the records' copy is of unrecorded place.
	if l.wide() && !measured && !copyOut.Unknown && !copyOut.Unbounded {
		switch {
		case s.OffsiteMethod != "replication" || s.DRFacilityID == nil, dr == DRUnknown:
			copyOut.AtLeast = true
			c.say(copyLocation)
		case dr == DRLost || dr == DRNone:
			copyOut = unbounded
			c.say("regional.replica_lost")
		}
	}
	if copyOut.Unbounded && (dr == DRCarries || dr == DRReduced) {
		copyOut = unknown
		if measured {
			c.say("dr.data_unreported")
		} else {
			c.say("dr.data_unknown")
		}
	}
	c.RPO = copyOut

	switch dr {
	case DRCarries:
		c.RTO = known(DRSwitchover)
		c.say("dr.switchover", locale.Minutes(DRSwitchover))
	case DRReduced:
		c.RTO = known(RebuildElsewhere)
		c.say("rebuild", locale.Minutes(RebuildElsewhere))
	case DRUnknown:
		c.RTO = unknown
		c.say("rto_unknown")
	default:
		switch {
		case copyOut.Unbounded:
			c.RTO = unbounded
			c.say("no_copy_rto")
		case copyOut.Unknown:
			c.RTO = unknown
			c.say("rto_unknown")
		default:
			// Rebuilt from the copy outside: as sure as that copy is.
			c.RTO = Bound{Minutes: RebuildElsewhere, AtLeast: copyOut.AtLeast}
			c.say("rebuild", locale.Minutes(RebuildElsewhere))
		}
	}
	return dr
}

// replicaLost reports whether s's DR site, where a replica is taken to
// sit, is known to be lost with the primary facility: it is the primary,
// or among the facilities lost, or in the lost region.
func replicaLost(s *inventory.System, facilities map[int64]*inventory.Facility, region string, lost map[int64]bool) bool {
	if s.DRFacilityID == nil {
		return false
	}
	id := *s.DRFacilityID
	f := facilities[id]
	return id == *s.PrimaryFacilityID || lost[id] || region != "" && f != nil && f.Region == region
}

// drState says what becomes of the DR site when the primary facility is
// lost, and with it every facility of region (when set) or of lost.
func drState(c *Capability, s *inventory.System, facilities map[int64]*inventory.Facility, region string, lost map[int64]bool) string {
	switch s.DRPerformance {
	case inventory.DRNone:
		c.say("dr.none")
		return DRNone
	case inventory.DRSimilar, inventory.DRPartial:
	default:
		c.say("dr.unknown")
		return DRUnknown
	}
	if s.DRFacilityID == nil {
		c.say("dr.site_unknown")
		return DRUnknown
	}
	id := *s.DRFacilityID
	if id == *s.PrimaryFacilityID {
		c.say("dr.same_facility")
		return DRLost
	}
	if region != "" {
		f := facilities[id]
		if f == nil || f.Region == "" {
			c.say("region_unknown", name(facilities, id))
			return DRUnknown
		}
		if f.Region == region {
			c.say("dr.same_region", name(facilities, id), region)
			return DRLost
		}
	}
	if lost[id] {
		c.say("dr.lost_too", name(facilities, id))
		return DRLost
	}
	if s.DRPerformance == inventory.DRSimilar {
		c.say("dr.similar", name(facilities, id))
		return DRCarries
	}
	c.say("dr.partial", name(facilities, id))
	return DRReduced
}

// copyOutside is the age of the newest copy that survives the loss:
// measured by m when given (measured), else as the records' offsite
// schedule says. A replica at a DR site that may survive (not known lost
// by where it is, whatever its performance) is no backup run, so no job
// reports it: when none of the runs is newer, the recorded replication
// stands.
func copyOutside(c *Capability, s *inventory.System, dr string, m *Measured, drSiteLost bool) (b Bound, measured bool) {
	if m == nil {
		return offsiteCopy(c, s), false
	}
	if s.OffsiteMethod == "replication" && dr != DRNone && !drSiteLost {
		var replica Capability
		lag := offsiteCopy(&replica, s)
		if m.Bound.Unbounded || lag.Minutes < m.Bound.Minutes {
			c.Reasons = append(c.Reasons, replica.Reasons...)
			c.say("backup.replica_not_reported")
			return lag, false
		}
	}
	return c.measured(*m), true
}

// offsiteCopy is the data lost when the primary facility is lost: the age
// of the newest copy that had left it, as the records say.
func offsiteCopy(c *Capability, s *inventory.System) Bound {
	method := s.OffsiteMethod
	switch method {
	case inventory.No:
		c.say("offsite.none")
		return unbounded
	case "replication", "tape_staff", "tape_courier", "cloud", "other":
	default:
		c.say("offsite.unknown")
		return unknown
	}
	every := s.OffsiteEvery
	if method == "replication" {
		lag := ReplicationLag
		if every != nil && *every > 0 {
			lag = *every
		}
		c.say("offsite.replication", locale.Minutes(lag))
		return known(lag)
	}
	switch {
	case every == nil:
		c.say("offsite.every_unknown", locale.Key("offsite."+method))
		return unknown
	case *every == 0:
		c.say("offsite.none")
		return unbounded
	case method == "tape_staff" || method == "tape_courier":
		loss := *every + TapeTransit
		c.say("offsite.tape", locale.Key("offsite."+method), locale.Minutes(*every), locale.Minutes(TapeTransit), locale.Minutes(loss))
		return known(loss)
	}
	c.say("offsite.copy", locale.Key("offsite."+method), locale.Minutes(*every))
	return known(*every)
}

func ransomware(c *Capability, s *inventory.System, m *Measured) {
	c.say("ransomware.online")
	if s.DRFacilityID != nil && (s.DRPerformance == inventory.DRSimilar || s.DRPerformance == inventory.DRPartial) {
		c.say("ransomware.dr_no_help")
	}
	if m != nil {
		c.RPO = c.measured(*m)
	} else {
		c.RPO = offlineCopy(c, s)
	}
	switch {
	case c.RPO.Unbounded:
		c.RTO = unbounded
		c.say("ransomware.no_restore")
	case c.RPO.Unknown:
		c.RTO = unknown
		c.say("rto_unknown")
	default:
		c.RTO = known(RansomwareRestore)
		c.say("ransomware.restore", locale.Minutes(RansomwareRestore))
	}
}

// offlineCopy is the data lost to ransomware as the records say: the age
// of the newest copy out of its reach, a tape's.
func offlineCopy(c *Capability, s *inventory.System) Bound {
	method, every := s.OffsiteMethod, s.OffsiteEvery
	switch method {
	case "tape_staff", "tape_courier":
		switch {
		case every == nil:
			c.say("offsite.every_unknown", locale.Key("offsite."+method))
			return unknown
		case *every == 0:
			c.say("ransomware.no_offline")
			return unbounded
		}
		c.say("ransomware.tape", locale.Key("offsite."+method), locale.Minutes(*every))
		return known(*every)
	case "replication":
		c.say("ransomware.replication")
		c.say("ransomware.no_offline")
		return unbounded
	case inventory.No:
		c.say("ransomware.no_offline")
		return unbounded
	case "cloud", "other":
		c.say("ransomware.immutable_unknown", locale.Key("offsite."+method))
		return unknown
	}
	c.say("offsite.unknown")
	return unknown
}

// name is a facility's name for a reason, or its number when unrecorded.
func name(facilities map[int64]*inventory.Facility, id int64) string {
	if f := facilities[id]; f != nil && f.Name != "" {
		return f.Name
	}
	return fmt.Sprintf("#%d", id)
}
