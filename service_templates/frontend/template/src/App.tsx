import { type FormEvent, useEffect, useState } from 'react'

import { type Item, createItem, fetchItems, startJob } from './api'

type State =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; items: Item[] }

export function ItemList({ items }: { items: Item[] }) {
  if (items.length === 0) {
    return <p className="empty">No items yet.</p>
  }
  return (
    <ul className="items" data-testid="items">
      {items.map((item) => (
        <li key={item.id}>{item.name}</li>
      ))}
    </ul>
  )
}

export function App({ initial }: { initial?: State }) {
  const [state, setState] = useState<State>(initial ?? { status: 'loading' })
  const [name, setName] = useState('')
  const [job, setJob] = useState('')

  useEffect(() => {
    if (initial) return
    fetchItems()
      .then((items) => setState({ status: 'ready', items }))
      .catch((error: Error) => setState({ status: 'error', message: error.message }))
  }, [initial])

  async function add(event: FormEvent) {
    event.preventDefault()
    if (!name.trim() || state.status !== 'ready') return
    const item = await createItem(name.trim())
    setState({ status: 'ready', items: [...state.items, item] })
    setName('')
  }

  async function runJob() {
    try {
      const queued = await startJob(name.trim() || 'hello from the frontend')
      setJob(`job ${queued.id}: ${queued.status}`)
    } catch (error) {
      setJob(`could not start a job: ${(error as Error).message}`)
    }
  }

  return (
    <main>
      <h1>Items</h1>
      {state.status === 'loading' && <p className="loading">Loading…</p>}
      {state.status === 'error' && <p className="error">Could not load items: {state.message}</p>}
      {state.status === 'ready' && <ItemList items={state.items} />}
      <form onSubmit={add}>
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder="New item" aria-label="New item" />
        <button type="submit">Add</button>
      </form>
      <p>
        <button type="button" onClick={runJob} data-testid="run-job">
          Run a job
        </button>{' '}
        <span data-testid="job">{job}</span>
      </p>
    </main>
  )
}
