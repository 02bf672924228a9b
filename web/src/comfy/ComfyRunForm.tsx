import { useState } from 'react'
import { ErrorText } from '../components/ErrorText'
import { clipText } from '../format/preview'
import { useComfySession } from './context'
import type { ComfySubmission } from './createComfySession'
import { DEFAULT_RUN_SETTINGS, defaultComfyWorkflow, type RunSettings } from './workflow'

const MAX_TEXT_CHARS = 300

const FIELDS: { key: keyof RunSettings; label: string; min: number; max: number }[] = [
  { key: 'seed', label: 'Seed', min: 0, max: Number.MAX_SAFE_INTEGER },
  { key: 'steps', label: 'Steps', min: 1, max: 200 },
  { key: 'batchSize', label: 'Batch size', min: 1, max: 8 },
]

type Outcome =
  | { kind: 'idle' }
  | { kind: 'busy' }
  | { kind: 'done'; submission: ComfySubmission }
  | { kind: 'failed'; error: string }

function OutcomeText({ outcome }: { outcome: Outcome }) {
  if (outcome.kind === 'failed') return <ErrorText error={outcome.error} />
  if (outcome.kind !== 'done') return null
  const { submission } = outcome
  return (
    <p
      className={submission.accepted ? 'muted' : 'error'}
      data-testid="comfy-submit-result"
      data-accepted={submission.accepted}
      data-item-id={submission.itemId ?? ''}
      data-prompt-id={submission.promptId}
    >
      {submission.accepted
        ? `queued as item ${submission.itemId ?? '?'} (prompt ${submission.promptId.slice(0, 8)})`
        : `refused: ${clipText(submission.error.message, MAX_TEXT_CHARS)}`}
    </p>
  )
}

/**
 * Queues ComfyUI's default text-to-image workflow (checkpoint, two prompts, empty latent, KSampler,
 * decode, save) with the seed, steps and batch size given here, through the engine's `submitPrompt`.
 */
export function ComfyRunForm() {
  const session = useComfySession()
  const [settings, setSettings] = useState<RunSettings>(DEFAULT_RUN_SETTINGS)
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' })
  const submit = () => {
    setOutcome({ kind: 'busy' })
    session.submit(defaultComfyWorkflow(settings)).then(
      (submission) => setOutcome({ kind: 'done', submission }),
      (error: unknown) =>
        setOutcome({ kind: 'failed', error: error instanceof Error ? error.message : String(error) }),
    )
  }
  return (
    <form
      className="panel control"
      data-testid="comfy-run-form"
      onSubmit={(event) => {
        event.preventDefault()
        submit()
      }}
    >
      <h2>Run the default workflow</h2>
      {FIELDS.map(({ key, label, min, max }) => (
        <label key={key}>
          {label}
          <input
            type="number"
            data-testid={`comfy-${key}`}
            min={min}
            max={max}
            step={1}
            value={settings[key]}
            onChange={(event) => setSettings({ ...settings, [key]: Math.trunc(Number(event.target.value)) })}
          />
        </label>
      ))}
      <p className="muted small">On the simulator, seed 666 fails halfway (out of memory).</p>
      <button type="submit" data-testid="comfy-submit" disabled={outcome.kind === 'busy'}>
        Queue prompt
      </button>
      <OutcomeText outcome={outcome} />
    </form>
  )
}
