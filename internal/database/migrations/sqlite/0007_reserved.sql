-- Placeholder for migration 0007, which another part of issue 4 brings; it
-- keeps this branch's versions contiguous and is dropped when that lands.
SELECT 1;
