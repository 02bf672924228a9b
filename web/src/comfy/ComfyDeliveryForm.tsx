import { useEffect, useState } from 'react'
import { ErrorText } from '../components/ErrorText'
import { useServerAction } from '../hooks/useServerAction'
import type { ComfyDelivery } from './api'
import { useComfySession } from './context'

/** The form's fields as typed: an empty number field is "off" (null) where the option has an off. */
interface Draft {
  historyLag: string
  dropAfterStart: string
  cachedNodes: boolean
  blockedNode: string
  chaosDrop: string
  chaosSeed: string
}

const draftOf = (delivery: ComfyDelivery): Draft => ({
  historyLag: String(delivery.historyLag),
  dropAfterStart: delivery.dropAfterStart === null ? '' : String(delivery.dropAfterStart),
  cachedNodes: delivery.cachedNodes,
  blockedNode: delivery.blockedNode ?? '',
  chaosDrop: String(delivery.chaosDrop),
  chaosSeed: String(delivery.chaosSeed),
})

const deliveryOf = (draft: Draft): ComfyDelivery => ({
  historyLag: Number(draft.historyLag || 0),
  dropAfterStart: draft.dropAfterStart.trim() === '' ? null : Number(draft.dropAfterStart),
  cachedNodes: draft.cachedNodes,
  blockedNode: draft.blockedNode.trim() === '' ? null : draft.blockedNode.trim(),
  chaosDrop: Number(draft.chaosDrop || 0),
  chaosSeed: Number(draft.chaosSeed || 0),
})

/** What the simulator now does, in a few words: `applied: in order` when every mode is off. */
export function describeDelivery(delivery: ComfyDelivery): string {
  const on = [
    delivery.historyLag > 0 ? `history lag ${delivery.historyLag} ms` : null,
    delivery.dropAfterStart !== null ? `drop after ${delivery.dropAfterStart} frames` : null,
    delivery.cachedNodes ? 'cached nodes' : null,
    delivery.blockedNode !== null ? `node ${delivery.blockedNode} blocked` : null,
    delivery.chaosDrop > 0 ? `chaos drop ${delivery.chaosDrop} (seed ${delivery.chaosSeed})` : null,
  ].filter((part) => part !== null)
  return `applied: ${on.length === 0 ? 'in order' : on.join(', ')}`
}

const TEXT_FIELDS: { key: Exclude<keyof Draft, 'cachedNodes'>; label: string; hint: string }[] = [
  {
    key: 'historyLag',
    label: 'history lag (ms)',
    hint: 'history written this long after the terminal frame',
  },
  {
    key: 'dropAfterStart',
    label: 'drop after N frames',
    hint: 'empty: off; the socket is cut, the run goes on',
  },
  { key: 'blockedNode', label: 'blocked node id', hint: 'empty: off; ExecutionBlocked, not terminal' },
  { key: 'chaosDrop', label: 'chaos drop (0-1)', hint: 'fraction of the run frames dropped' },
  { key: 'chaosSeed', label: 'chaos seed', hint: '' },
]

/** The ComfyUI simulator's delivery modes, through the start script's `GET|POST /sim/delivery`. */
export function ComfyDeliveryForm() {
  const session = useComfySession()
  const [draft, setDraft] = useState<Draft | null>(null)
  const [loadError, setLoadError] = useState<string | null>(null)
  const apply = useServerAction(session.api.setDelivery, describeDelivery)
  const disconnect = useServerAction(session.api.disconnect)
  useEffect(() => {
    const controller = new AbortController()
    session.api.getDelivery(controller.signal).then(
      (delivery) => setDraft(draftOf(delivery)),
      (error: unknown) => {
        if (!controller.signal.aborted) setLoadError(error instanceof Error ? error.message : String(error))
      },
    )
    return () => controller.abort()
  }, [session.api])
  if (!draft) return <ErrorText error={loadError} />
  return (
    <section className="panel controls" data-testid="controls">
      <h2>Simulator</h2>
      <form
        className="control"
        data-testid="comfy-delivery-form"
        onSubmit={(event) => {
          event.preventDefault()
          apply.run(deliveryOf(draft))
        }}
      >
        <h3>Delivery</h3>
        {TEXT_FIELDS.map(({ key, label, hint }) => (
          <label key={key} title={hint}>
            {label}
            <input
              type={key === 'blockedNode' ? 'text' : 'number'}
              step="any"
              data-testid={`comfy-${key}`}
              value={draft[key]}
              onChange={(event) => setDraft({ ...draft, [key]: event.target.value })}
            />
          </label>
        ))}
        <label className="check">
          <input
            type="checkbox"
            data-testid="comfy-cachedNodes"
            checked={draft.cachedNodes}
            onChange={(event) => setDraft({ ...draft, cachedNodes: event.target.checked })}
          />
          cached nodes (a node seen in an earlier successful run comes from cache)
        </label>
        <button type="submit" data-testid="comfy-delivery-apply" disabled={apply.busy}>
          Apply delivery
        </button>
        {apply.message ? (
          <p className="muted" data-testid="comfy-delivery-result">
            {apply.message}
          </p>
        ) : null}
        <ErrorText error={apply.error} />
      </form>
      <div className="control">
        <h3>Connection</h3>
        <button
          type="button"
          data-testid="disconnect-button"
          disabled={disconnect.busy}
          onClick={() => disconnect.run()}
        >
          Drop the connection
        </button>
        <p className="muted small">
          The simulator cuts every socket: what it sends meanwhile is lost, the engine asks the server.
        </p>
        <ErrorText error={disconnect.error} />
      </div>
    </section>
  )
}
