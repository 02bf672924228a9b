import { useEffect, useState } from 'react'
import type { ChaosOptions, DeliveryOptions } from '../session/api'
import { useServerAction } from '../hooks/useServerAction'
import { usePage } from '../session/context'
import { ErrorText } from './ErrorText'

interface Draft extends Omit<DeliveryOptions, 'chaos'> {
  chaosOn: boolean
  chaos: Required<ChaosOptions>
}

const DEFAULT_CHAOS: Required<ChaosOptions> = {
  seed: 1,
  reorderWindow: 4,
  duplicateRate: 0.2,
  dropRate: 0.05,
  maxDelayMs: 50,
  disconnectRate: 0,
}

function draftOf(options: DeliveryOptions): Draft {
  return {
    mode: options.mode,
    eventsBeforeEnqueueResponse: options.eventsBeforeEnqueueResponse,
    cancelRace: options.cancelRace,
    // Kept undefined (and not sent) when the server does not know the option.
    cancelRaceCompletes: options.cancelRaceCompletes,
    chaosOn: options.chaos !== null,
    chaos: { ...DEFAULT_CHAOS, ...options.chaos },
  }
}

function optionsOf({ chaosOn, chaos, ...rest }: Draft): DeliveryOptions {
  return { ...rest, chaos: chaosOn ? chaos : null }
}

const describeDelivery = (options: DeliveryOptions) =>
  `applied: ${options.mode}${options.chaos ? ` + chaos (seed ${options.chaos.seed})` : ''}`

const CHAOS_FIELDS: { key: keyof ChaosOptions; label: string; step: number }[] = [
  { key: 'seed', label: 'seed', step: 1 },
  { key: 'reorderWindow', label: 'reorder window', step: 1 },
  { key: 'duplicateRate', label: 'duplicate rate', step: 0.05 },
  { key: 'dropRate', label: 'drop rate', step: 0.05 },
  { key: 'maxDelayMs', label: 'max delay (ms)', step: 10 },
  { key: 'disconnectRate', label: 'disconnect rate', step: 0.01 },
]

function useDeliveryDraft() {
  const { session } = usePage()
  const [draft, setDraft] = useState<Draft | null>(null)
  const [loadError, setLoadError] = useState<string | null>(null)
  useEffect(() => {
    const controller = new AbortController()
    session.api.getDelivery(controller.signal).then(
      (options) => setDraft(draftOf(options)),
      (error: unknown) => {
        if (!controller.signal.aborted) setLoadError(error instanceof Error ? error.message : String(error))
      },
    )
    return () => controller.abort()
  }, [session.api])
  return { draft, setDraft, loadError }
}

function Check({
  label,
  checked,
  onChange,
  testId,
}: {
  label: string
  checked: boolean
  onChange: (checked: boolean) => void
  testId: string
}) {
  return (
    <label className="check">
      <input
        type="checkbox"
        data-testid={testId}
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
      />
      {label}
    </label>
  )
}

/** How the simulator delivers events to every client: in order, doubled like 6.13, or chaos. */
export function DeliveryForm() {
  const { session } = usePage()
  const { draft, setDraft, loadError } = useDeliveryDraft()
  const apply = useServerAction(session.api.setDelivery, describeDelivery)
  if (!draft) return <ErrorText error={loadError} />
  const change = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch })
  return (
    <form
      className="control"
      data-testid="delivery-form"
      onSubmit={(event) => {
        event.preventDefault()
        apply.run(optionsOf(draft))
      }}
    >
      <h3>Delivery</h3>
      <fieldset className="inline">
        <label className="check">
          <input
            type="radio"
            name="mode"
            data-testid="mode-in_order"
            checked={draft.mode === 'in_order'}
            onChange={() => change({ mode: 'in_order' })}
          />
          in order
        </label>
        <label className="check">
          <input
            type="radio"
            name="mode"
            data-testid="mode-double"
            checked={draft.mode === 'double'}
            onChange={() => change({ mode: 'double' })}
          />
          6.13 double
        </label>
      </fieldset>
      <Check
        label="events before enqueue response"
        testId="events-before-response"
        checked={draft.eventsBeforeEnqueueResponse}
        onChange={(v) => change({ eventsBeforeEnqueueResponse: v })}
      />
      <Check
        label="cancel race"
        testId="cancel-race"
        checked={draft.cancelRace}
        onChange={(v) => change({ cancelRace: v })}
      />
      {draft.cancelRaceCompletes === undefined ? null : (
        <Check
          label="…interrupted node completes anyway"
          testId="cancel-race-completes"
          checked={draft.cancelRaceCompletes}
          onChange={(v) => change({ cancelRaceCompletes: v })}
        />
      )}
      <Check label="chaos" testId="chaos" checked={draft.chaosOn} onChange={(v) => change({ chaosOn: v })} />
      {draft.chaosOn ? (
        <div className="chaos">
          {CHAOS_FIELDS.map(({ key, label, step }) => (
            <label key={key}>
              {label}
              <input
                type="number"
                step={step}
                data-testid={`chaos-${key}`}
                value={draft.chaos[key]}
                onChange={(e) => change({ chaos: { ...draft.chaos, [key]: Number(e.target.value) } })}
              />
            </label>
          ))}
        </div>
      ) : null}
      <button type="submit" data-testid="delivery-apply" disabled={apply.busy}>
        Apply delivery
      </button>
      {apply.message ? (
        <p className="muted" data-testid="delivery-result">
          {apply.message}
        </p>
      ) : null}
      <ErrorText error={apply.error} />
    </form>
  )
}
