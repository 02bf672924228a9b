import { useState } from 'react'
import type { EnqueueResult, ScenarioInfo } from '../session/api'
import { useServerAction } from '../hooks/useServerAction'
import { usePage } from '../session/context'
import { DeliveryForm } from './DeliveryForm'
import { ErrorText } from './ErrorText'
import { clipText } from '../format/preview'

const describeEnqueue = (result: EnqueueResult) => `enqueued item(s) ${result.item_ids.join(', ')}`

function EnqueueForm({ scenarios }: { scenarios: ScenarioInfo[] }) {
  const { session } = usePage()
  const [scenario, setScenario] = useState(scenarios[0]?.name ?? '')
  const [runs, setRuns] = useState(1)
  const enqueue = useServerAction(session.api.enqueueScenario, describeEnqueue)
  const description = scenarios.find((s) => s.name === scenario)?.description
  return (
    <form
      className="control"
      onSubmit={(event) => {
        event.preventDefault()
        enqueue.run(scenario, runs)
      }}
    >
      <h3>Enqueue</h3>
      <label>
        Scenario
        <select data-testid="scenario-select" value={scenario} onChange={(e) => setScenario(e.target.value)}>
          {scenarios.map((s) => (
            <option key={s.name} value={s.name}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Runs
        <input
          type="number"
          data-testid="runs-input"
          min={1}
          max={100}
          value={runs}
          onChange={(e) => setRuns(Number(e.target.value))}
        />
      </label>
      {description ? <p className="muted small">{clipText(description, 300)}</p> : null}
      <button type="submit" data-testid="enqueue-button" disabled={enqueue.busy || scenario === ''}>
        Enqueue
      </button>
      {enqueue.message ? (
        <p className="muted" data-testid="enqueue-result">
          {enqueue.message}
        </p>
      ) : null}
      <ErrorText error={enqueue.error} />
    </form>
  )
}

function DisconnectButton() {
  const { session } = usePage()
  const disconnect = useServerAction(session.api.disconnect)
  return (
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
        The server drops every socket; socket.io reconnects and the engine resyncs.
      </p>
      <ErrorText error={disconnect.error} />
    </div>
  )
}

/** Long enough to see the page disconnected, short against socket.io's reconnection backoff. */
const RESTART_DOWNTIME_MS = 1000

const describeRestart = () => `restarting: down for ${RESTART_DOWNTIME_MS / 1000} s, ids start again from 1`

function RestartButton() {
  const { session } = usePage()
  const restart = useServerAction(session.api.restart, describeRestart)
  return (
    <div className="control">
      <button
        type="button"
        data-testid="restart-button"
        disabled={restart.busy}
        onClick={() => restart.run(RESTART_DOWNTIME_MS)}
      >
        Restart server (wipe database)
      </button>
      <p className="muted small">
        A crash that loses the queue: runs stop silently, new runs reuse ids 1, 2… with new sessions. The
        engine replaces a run it knew under a reused id instead of mixing the two.
      </p>
      {restart.message ? (
        <p className="muted" data-testid="restart-result">
          {restart.message}
        </p>
      ) : null}
      <ErrorText error={restart.error} />
    </div>
  )
}

/** The simulator's control API: what to run and how the socket should misbehave. */
export function SimulatorControls({ scenarios }: { scenarios: ScenarioInfo[] }) {
  return (
    <section className="panel controls" data-testid="controls">
      <h2>Simulator</h2>
      <EnqueueForm scenarios={scenarios} />
      <DeliveryForm />
      <DisconnectButton />
      <RestartButton />
    </section>
  )
}
