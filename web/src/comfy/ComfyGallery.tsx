import { useState } from 'react'
import { clipText } from '../format/preview'
import { useObservable } from '../session/observable'
import { useComfySession } from './context'

const MAX_NAME_CHARS = 200

/**
 * The gallery, fed only by the engine's exactly-once `invocationOutputReceived`: every image of every UI
 * output once, whether it came by the socket or by reconciliation from history. Newest first; a click
 * opens it full size.
 */
export function ComfyGallery() {
  const session = useComfySession()
  const images = useObservable(session.gallery)
  const [enlarged, setEnlarged] = useState<string | null>(null)
  return (
    <section className="panel gallery" data-testid="gallery" data-count={images.length}>
      <h2>
        Gallery <span className="muted">{images.length}</span>
      </h2>
      {images.length === 0 ? <p className="muted">No images yet</p> : null}
      <div className="gallery-grid">
        {images.map((entry) => {
          const name = clipText(entry.image.filename, MAX_NAME_CHARS)
          return (
            <button
              key={entry.key}
              type="button"
              className="gallery-image"
              title={`#${entry.itemId} node ${entry.nodeId}: ${name} (${entry.via})`}
              onClick={() => setEnlarged(entry.url)}
            >
              <img
                src={entry.url}
                alt={name}
                data-filename={entry.image.filename}
                data-item-id={entry.itemId}
                data-node-id={entry.nodeId}
                data-via={entry.via}
                loading="lazy"
              />
            </button>
          )
        })}
      </div>
      {enlarged !== null ? (
        <div className="lightbox" role="dialog" onClick={() => setEnlarged(null)}>
          <img src={enlarged} alt="" data-testid="lightbox-image" />
        </div>
      ) : null}
    </section>
  )
}
