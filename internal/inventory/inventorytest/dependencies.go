package inventorytest

import "yeonsok/internal/inventory"

// hubKinds are the kinds by which the first systems Generate places in each
// facility serve the others there as shared infrastructure, by level:
// network, auth, then databases.
var hubKinds = []string{"network", "auth", "database", "database", "database"}

// Dependencies adds n dependencies among the systems of an inventory made
// by Generate, deterministically, so that a lost facility's restart has a
// real graph to order. Generate puts system i (from 0) in facility
// i % facilities, so the systems of a facility are i, i+facilities, …; of
// each system's needs:
//
//   - 40% are on its facility's shared infrastructure (its first five
//     systems: network, auth, databases);
//   - 50% are on an earlier system of its facility;
//   - 9% are on an earlier system anywhere;
//   - 1% are on the next system of its facility, which makes cycles, as
//     real inventories have them (never across facilities: every other
//     need points to an earlier system).
//
// Needs on itself and twice on the same system are left out.
func Dependencies(inv *inventory.Inventory, n int) {
	systems, facilities := inv.Systems, len(inv.Facilities)
	if len(systems) < 2 || facilities == 0 {
		return
	}
	seen := map[[2]int]bool{}
	state := uint64(0x9E3779B97F4A7C15)
	random := func(k int) int { // xorshift: the same graph on every run
		state ^= state << 13
		state ^= state >> 7
		state ^= state << 17
		return int(state % uint64(k))
	}
	hubs := len(hubKinds) * facilities
	for added, k := 0, 0; added < n && k < 10*n; k++ {
		from := k % len(systems)
		to, kind := -1, "interface"
		switch r := random(100); {
		case r < 40 && from >= hubs:
			level := random(len(hubKinds))
			to, kind = from%facilities+level*facilities, hubKinds[level]
		case r < 90:
			to = from - facilities*(1+random(8))
		case r < 99:
			if from > 0 {
				to = random(from)
			}
		default:
			to = from + facilities
		}
		key := [2]int{from, to}
		if to < 0 || to >= len(systems) || to == from || seen[key] {
			continue
		}
		seen[key] = true
		added++
		inv.Dependencies = append(inv.Dependencies, &inventory.Dependency{ID: int64(len(inv.Dependencies) + 1),
			FromSystemID: systems[from].ID, ToSystemID: systems[to].ID, Kind: kind})
	}
}

// Services adds a service for every `every` systems of an inventory made
// by Generate, each with grade-1 targets (2 h / 1 h) and three systems —
// two neighbours and one far away — so that services stop or degrade
// together with facilities.
func Services(inv *inventory.Inventory, every int) {
	n := len(inv.Systems)
	rto, rpo := inventory.Hours(2), inventory.Hours(1)
	for i := 0; i+1 < n; i += every {
		inv.Services = append(inv.Services, &inventory.Service{ID: int64(len(inv.Services) + 1),
			AgencyID: inv.Systems[i].AgencyID, Name: "서비스", RTO: &rto, RPO: &rpo,
			SystemIDs: []int64{inv.Systems[i].ID, inv.Systems[i+1].ID, inv.Systems[(i*31)%n].ID}})
	}
}
