import { useState } from 'react'
import { usePage } from '../session/context'
import { useObservable } from '../session/observable'

/**
 * The gallery, fed only by the engine's exactly-once `invocationOutputReceived`: every image output the
 * server persisted appears once, whichever way it arrived (socket, reconciliation, or hydration after a
 * reload). Newest first; a click opens the full image.
 */
export function GalleryPanel() {
  const { session } = usePage()
  const images = useObservable(session.gallery)
  const [enlarged, setEnlarged] = useState<string | null>(null)
  return (
    <section className="panel gallery" data-testid="gallery" data-count={images.length}>
      <h2>
        Gallery <span className="muted">{images.length}</span>
      </h2>
      {images.length === 0 ? <p className="muted">No images yet</p> : null}
      <div className="gallery-grid">
        {images.map((image) => (
          <button
            key={image.key}
            type="button"
            className="gallery-image"
            title={`#${image.itemId} ${image.imageName} (${image.via})`}
            onClick={() => setEnlarged(image.imageName)}
          >
            <img
              src={session.api.thumbnailUrl(image.imageName)}
              alt={image.imageName}
              data-image-name={image.imageName}
              data-via={image.via}
              loading="lazy"
            />
          </button>
        ))}
      </div>
      {enlarged !== null ? (
        <div className="lightbox" role="dialog" onClick={() => setEnlarged(null)}>
          <img src={session.api.imageUrl(enlarged)} alt={enlarged} data-testid="lightbox-image" />
        </div>
      ) : null}
    </section>
  )
}
