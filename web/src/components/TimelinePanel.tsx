import { useCallback, useMemo, useSyncExternalStore, type ReactNode } from 'react'
import { useItemGraph } from '../hooks/useItemGraph'
import { usePage } from '../session/context'
import { frameBatchedSubscribe } from '../session/frameBatchedStore'
import { spanDuration, type ItemMark, type ItemTimeline, type LinkMark } from '../timeline/timeline'

const shortId = (id: string) => (id.length > 10 ? id.slice(0, 8) : id)

/** A node's lane is named by its type where the graph says it (`denoise 1dd0e5d2`), else by its id. */
function useNodeLabel(itemId: number | undefined): (nodeId: string) => string {
  const { session } = usePage()
  const graph = useItemGraph(session.api, itemId)
  return useMemo(() => {
    const types = new Map(graph?.nodes.map((node) => [node.id, node.type]))
    return (nodeId: string) => {
      const type = types.get(nodeId)
      return type ? `${type} ${shortId(nodeId)}` : shortId(nodeId)
    }
  }, [graph])
}

interface Axis {
  t0: number
  span: number
}

const at = (axis: Axis, t: number) => `${(((t - axis.t0) / axis.span) * 100).toFixed(2)}%`

function axisOf(timeline: ItemTimeline): Axis | null {
  const first = timeline.marks[0]
  const last = timeline.marks.at(-1)
  if (!first || !last) return null
  return { t0: first.t, span: Math.max(1, last.t - first.t) }
}

function Mark({ mark, axis }: { mark: ItemMark; axis: Axis }) {
  const offset = `+${mark.t - axis.t0} ms`
  if (mark.kind === 'reconciliation') {
    return (
      <span
        className="tl-mark tl-phase"
        style={{ left: at(axis, mark.t) }}
        data-testid="timeline-phase"
        data-phase={mark.phase}
        title={`${offset} reconciliation ${mark.phase}${mark.snapshotStatus ? `: server says ${mark.snapshotStatus}` : ''}`}
      >
        {mark.snapshotStatus && mark.phase === 'done' ? `${mark.phase}: ${mark.snapshotStatus}` : mark.phase}
      </span>
    )
  }
  return (
    <span
      className={`tl-mark ${mark.applied ? 'tl-applied' : 'tl-ignored'}`}
      style={{ left: at(axis, mark.t) }}
      data-testid="timeline-mark"
      data-rule={mark.rule}
      data-applied={mark.applied}
      data-event={mark.event}
      title={`${offset} ${mark.action} (${mark.event}) → ${mark.rule} ${mark.applied ? 'applied' : 'ignored'}`}
    >
      {mark.rule}
    </span>
  )
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="tl-row">
      <span className="tl-label" title={label}>
        {label}
      </span>
      <div className="tl-track">{children}</div>
    </div>
  )
}

/** Marks grouped in lanes: one per node, one for the item's own events, one for reconciliation. */
function lanesOf(timeline: ItemTimeline): [string, ItemMark[]][] {
  const lanes = new Map<string, ItemMark[]>([['item', []]])
  for (const mark of timeline.marks) {
    const lane = mark.kind === 'reconciliation' ? 'reconciliation' : (mark.nodeId ?? 'item')
    lanes.set(lane, [...(lanes.get(lane) ?? []), mark])
  }
  return [...lanes]
}

function LinkLane({ link, axis }: { link: readonly LinkMark[]; axis: Axis }) {
  const shown = link.filter((mark) => mark.t >= axis.t0 && mark.t <= axis.t0 + axis.span)
  if (shown.length === 0) return null
  return (
    <Row label="link">
      {shown.map((mark, index) => (
        <span
          key={index}
          className={`tl-mark ${mark.connected ? 'tl-connect' : 'tl-disconnect'}`}
          style={{ left: at(axis, mark.t) }}
          data-testid="timeline-link"
          data-connected={mark.connected}
          title={mark.connected ? 'connected' : `disconnected: ${mark.reason ?? 'no reason'}`}
        >
          {mark.connected ? 'up' : 'down'}
        </span>
      ))}
    </Row>
  )
}

function NodeDurations({ timeline, label }: { timeline: ItemTimeline; label: (nodeId: string) => string }) {
  return (
    <ul className="log tl-durations" data-testid="timeline-durations">
      {timeline.nodeOrder.map((nodeId) => {
        const span = timeline.nodes[nodeId]
        if (!span) return null
        const duration = spanDuration(span)
        return (
          <li
            key={nodeId}
            data-testid="timeline-node"
            data-node-id={nodeId}
            data-status={span.status}
            data-duration-ms={duration ?? ''}
          >
            <code>{label(nodeId)}</code> {span.status}{' '}
            <span className="muted">
              {duration === null ? (span.startedAt === null ? 'never started' : 'running') : `${duration} ms`}
            </span>
          </li>
        )
      })}
    </ul>
  )
}

/** The selected item's events against time, each marked with the rule that decided it. */
export function TimelinePanel({ itemId }: { itemId: number | undefined }) {
  const { session } = usePage()
  const store = session.timeline
  // Once a frame, as every panel: the timeline changes on every engine action of a flood.
  const subscribe = useMemo(() => frameBatchedSubscribe(store.subscribe), [store])
  const timeline = useSyncExternalStore(
    subscribe,
    useCallback(() => (itemId === undefined ? undefined : store.get().items[itemId]), [store, itemId]),
  )
  const link = useSyncExternalStore(subscribe, () => store.get().link)
  const axis = timeline ? axisOf(timeline) : null
  const label = useNodeLabel(itemId)
  return (
    <section
      className="panel timeline"
      data-testid="timeline"
      data-item-id={itemId ?? ''}
      data-marks={timeline?.marks.length ?? 0}
    >
      <h2>Timeline {itemId === undefined ? null : <span className="muted">item {itemId}</span>}</h2>
      {!timeline || !axis ? (
        <p className="muted">Nothing recorded for this item since the page loaded.</p>
      ) : (
        <>
          <p className="muted">
            {timeline.marks.length} marks over {axis.span} ms
            {timeline.dropped > 0 ? ` (${timeline.dropped} earlier marks dropped)` : ''}; filled: applied,
            hollow: ignored.
          </p>
          <div className="tl-rows">
            {lanesOf(timeline).map(([lane, marks]) => (
              <Row key={lane} label={lane === 'item' || lane === 'reconciliation' ? lane : label(lane)}>
                {marks.map((mark, index) => (
                  <Mark key={index} mark={mark} axis={axis} />
                ))}
              </Row>
            ))}
            <LinkLane link={link} axis={axis} />
          </div>
          <h3>Node durations (first started → terminal)</h3>
          <NodeDurations timeline={timeline} label={label} />
        </>
      )}
    </section>
  )
}
