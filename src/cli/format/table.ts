/** @module cli/format/table — left-aligned text columns, as Go's tabwriter prints istioctl tables. */

/** Formats a header and rows as padded columns (`gap` spaces between columns, no trailing spaces). */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  gap = 3,
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd((widths[i] ?? 0) + gap)))
      .join('')
      .trimEnd()
  return `${[header, ...rows].map(line).join('\n')}\n`
}
