import { renderToString } from 'react-dom/server'
import { describe, expect, it } from 'vitest'

import { App, ItemList } from './App'

describe('ItemList', () => {
  it('shows every item', () => {
    const html = renderToString(<ItemList items={[{ id: 1, name: 'first' }, { id: 2, name: 'second' }]} />)
    expect(html).toContain('first')
    expect(html).toContain('second')
  })

  it('says when there is nothing', () => {
    expect(renderToString(<ItemList items={[]} />)).toContain('No items yet.')
  })
})

describe('App', () => {
  it('shows a loading state first', () => {
    expect(renderToString(<App initial={{ status: 'loading' }} />)).toContain('Loading')
  })

  it('shows an error', () => {
    const html = renderToString(<App initial={{ status: 'error', message: 'boom' }} />)
    expect(html).toContain('Could not load items')
    expect(html).toContain('boom')
  })
})
