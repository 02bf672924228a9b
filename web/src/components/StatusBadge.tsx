/** A node status (upper case) or a queue status (lower case, as on the wire), colored by its meaning. */
export function StatusBadge({ status }: { status: string | null }) {
  const label = status ?? 'unknown'
  return <span className={`badge badge-${label.toLowerCase()}`}>{label.replace('_', ' ')}</span>
}
