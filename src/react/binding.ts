import type { Store } from '@reduxjs/toolkit'
import { useMemo } from 'react'
import { useStore } from 'react-redux'
import type { WithWorkflowExecution } from '../features/workflowExecution/slice/selectors'
import {
  isExecutionSubscriptions,
  subscriptionsRequested,
  type ExecutionSubscriptions,
} from '../features/workflowExecution/subscriptions'

/** A store with the engine, and the engine's keyed subscriptions (null without its middleware). */
export interface ExecutionBinding {
  store: Store<WithWorkflowExecution>
  subscriptions: ExecutionSubscriptions | null
}

export function bindingOf(store: Store<WithWorkflowExecution>): ExecutionBinding {
  const answer: unknown = store.dispatch(subscriptionsRequested())
  return { store, subscriptions: isExecutionSubscriptions(answer) ? answer : null }
}

const useExecutionStore = useStore.withTypes<Store<WithWorkflowExecution>>()

/** The binding of the store in react-redux's context. */
export function useContextBinding(): ExecutionBinding {
  const store = useExecutionStore()
  return useMemo(() => bindingOf(store), [store])
}
