// Runs the simulator until SIGINT/SIGTERM:
//   npx tsx sim/cli.ts --port 9090 [--static web/dist] [--base-path /invoke] [--step-delay 40]
//     [--mode in_order|double] [--events-before-response] [--cancel-race] [--chaos-seed N ...]
//     [--user TOKEN=USER_ID ...] [--snapshot-endpoints] [--allow-origin ORIGIN ... | --cors]
import { parseArgs } from 'node:util'
import { startSimulator } from './index'
import type { DeliveryOptions } from './types'

const usage = `usage: tsx sim/cli.ts [--port 9090] [--host 127.0.0.1] [--static DIR] [--base-path /PATH]
  [--step-delay MS] [--cancel-persist-delay MS] [--mode in_order|double] [--events-before-response]
  [--cancel-race] [--cancel-race-completes] [--chaos-seed N] [--chaos-window N] [--chaos-duplicate RATE]
  [--chaos-drop RATE] [--chaos-delay MS] [--chaos-disconnect RATE]
  [--user TOKEN=USER_ID]... (multi-user; 'admin' sees everything) [--snapshot-endpoints]
  [--allow-origin ORIGIN]... (cross-origin callers, e.g. http://localhost:5173) [--cors] (any origin)`

function parse() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '9090' },
      host: { type: 'string', default: '127.0.0.1' },
      static: { type: 'string' },
      'base-path': { type: 'string', default: '' },
      'step-delay': { type: 'string', default: '40' },
      'cancel-persist-delay': { type: 'string', default: '100' },
      mode: { type: 'string', default: 'in_order' },
      'events-before-response': { type: 'boolean', default: false },
      'cancel-race': { type: 'boolean', default: false },
      'cancel-race-completes': { type: 'boolean', default: false },
      'chaos-seed': { type: 'string' },
      'chaos-window': { type: 'string', default: '0' },
      'chaos-duplicate': { type: 'string', default: '0' },
      'chaos-drop': { type: 'string', default: '0' },
      'chaos-delay': { type: 'string', default: '0' },
      'chaos-disconnect': { type: 'string', default: '0' },
      user: { type: 'string', multiple: true, default: [] },
      'snapshot-endpoints': { type: 'boolean', default: false },
      'allow-origin': { type: 'string', multiple: true, default: [] },
      cors: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  })
  const number = (name: keyof typeof values) => {
    const value = Number(values[name])
    if (!Number.isFinite(value)) throw new Error(`--${name} must be a number`)
    return value
  }
  const delivery: Partial<DeliveryOptions> = {
    mode: values.mode as DeliveryOptions['mode'],
    eventsBeforeEnqueueResponse: values['events-before-response'],
    cancelRace: values['cancel-race'],
    cancelRaceCompletes: values['cancel-race-completes'],
    chaos:
      values['chaos-seed'] === undefined
        ? null
        : {
            seed: number('chaos-seed'),
            reorderWindow: number('chaos-window'),
            duplicateRate: number('chaos-duplicate'),
            dropRate: number('chaos-drop'),
            maxDelayMs: number('chaos-delay'),
            disconnectRate: number('chaos-disconnect'),
          },
  }
  const users = Object.fromEntries(
    values.user.map((pair) => {
      const at = pair.indexOf('=')
      if (at <= 0 || at === pair.length - 1) throw new Error(`--user must be TOKEN=USER_ID, not ${pair}`)
      return [pair.slice(0, at), pair.slice(at + 1)]
    }),
  )
  return {
    help: values.help,
    options: {
      port: number('port'),
      host: values.host,
      staticDir: values.static,
      basePath: values['base-path'],
      stepDelayMs: number('step-delay'),
      cancelPersistDelayMs: number('cancel-persist-delay'),
      delivery,
      users,
      features: { snapshotEndpoints: values['snapshot-endpoints'] },
      cors: values.cors || (values['allow-origin'].length > 0 ? values['allow-origin'] : false),
    },
  }
}

async function main() {
  const { help, options } = parse()
  if (help) {
    console.log(usage)
    return
  }
  const sim = await startSimulator(options)
  console.log(`InvokeAI simulator listening on ${sim.url}${sim.basePath}`)
  console.log(
    `  socket.io path: ${sim.basePath}/ws/socket.io    scenarios: ${sim.scenarios.map((s) => s.name).join(', ')}`,
  )
  if (options.staticDir) console.log(`  serving ${options.staticDir} at ${sim.url}/`)
  const stop = (signal: string) => {
    console.log(`${signal}: stopping`)
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.once('SIGINT', () => stop('SIGINT'))
  process.once('SIGTERM', () => stop('SIGTERM'))
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  console.error(usage)
  process.exit(1)
})
