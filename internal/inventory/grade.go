package inventory

// GradeRank orders grades for lists that put the most critical first:
// grade 1 before 2 … before 4, and a system without a grade (0) last.
func GradeRank(grade int) int {
	if grade < 1 || grade > 4 {
		return 5
	}
	return grade
}
