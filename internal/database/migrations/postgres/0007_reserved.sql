-- Placeholder on the tasks branch only: issue 4's helpers were given
-- migration numbers 0007 to 0009, and this branch's 0009 must apply in
-- order. The lead drops this file at merge, where another branch's 0007 lands.
SELECT 1;
