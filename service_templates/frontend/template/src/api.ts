// The backend's API, reached through /api: the Vite dev server proxies it to the
// backend service; in production a reverse proxy (or server.mjs with API_URL) does.

export interface Item {
  id: number
  name: string
}

export async function fetchItems(fetcher: typeof fetch = fetch): Promise<Item[]> {
  const response = await fetcher('/api/items', { headers: { Accept: 'application/json' } })
  if (!response.ok) {
    throw new Error(`GET /api/items answered ${response.status}`)
  }
  const body = (await response.json()) as { items: Item[] }
  return body.items
}

export async function createItem(name: string, fetcher: typeof fetch = fetch): Promise<Item> {
  const response = await fetcher('/api/items', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ name }),
  })
  if (!response.ok) {
    throw new Error(`POST /api/items answered ${response.status}`)
  }
  return (await response.json()) as Item
}

export interface Job {
  id: string
  status: string
}

// Queue a job for the worker (POST /api/jobs): the example task counts words.
export async function startJob(text: string, fetcher: typeof fetch = fetch): Promise<Job> {
  const response = await fetcher('/api/jobs', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ task: 'word_count', payload: { text } }),
  })
  if (!response.ok) {
    throw new Error(`POST /api/jobs answered ${response.status}`)
  }
  return (await response.json()) as Job
}
