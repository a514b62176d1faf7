/**
 * Cuts a list queried with `limit + 1` rows into one page and the cursor of the next (the id of
 * the page's last row, for tables paged by time-sortable id), or null when nothing follows.
 */
export function cutPage<T extends { id: string }>(
  rows: T[],
  limit: number,
): { rows: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { rows, nextCursor: null };
  const page = rows.slice(0, limit);
  return { rows: page, nextCursor: page.at(-1)?.id ?? null };
}
