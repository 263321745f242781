import { describe, expect, it, vi } from 'vitest'

import { createItem, fetchItems } from './api'

function answer(status: number, body: unknown): typeof fetch {
  return vi.fn(async () => new Response(JSON.stringify(body), { status })) as unknown as typeof fetch
}

describe('api', () => {
  it('reads items from /api/items', async () => {
    const fetcher = answer(200, { items: [{ id: 1, name: 'one' }] })
    await expect(fetchItems(fetcher)).resolves.toEqual([{ id: 1, name: 'one' }])
    expect(fetcher).toHaveBeenCalledWith('/api/items', expect.anything())
  })

  it('fails loudly on an error status', async () => {
    await expect(fetchItems(answer(503, {}))).rejects.toThrow('503')
  })

  it('posts a new item as JSON', async () => {
    const fetcher = answer(201, { id: 7, name: 'new' })
    await expect(createItem('new', fetcher)).resolves.toEqual({ id: 7, name: 'new' })
    const [, init] = (fetcher as unknown as ReturnType<typeof vi.fn>).mock.calls[0]
    expect(init.method).toBe('POST')
    expect(JSON.parse(init.body)).toEqual({ name: 'new' })
  })
})
