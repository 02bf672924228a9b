import { useMemo, useState } from 'react'
import { useSelector } from 'react-redux'
import { selectQueueItemExecution, type WithWorkflowExecution } from '../../../src'
import { clipText } from '../format/preview'
import { usePage } from '../session/context'
import type { GalleryImage } from '../session/createLiveSession'
import { useObservable } from '../session/observable'

/**
 * The images of runs the server still holds: an image whose item id the engine now tracks under another
 * session came from a run a wiped-database restart removed (its file is gone too). An evicted item's
 * images stay: they are persisted, just no longer tracked.
 */
function useCurrentRunImages(images: readonly GalleryImage[]): GalleryImage[] {
  const sessions = useSelector((state: WithWorkflowExecution) =>
    images.map((image) => selectQueueItemExecution(state, image.itemId)?.sessionId ?? null).join('\n'),
  )
  return useMemo(() => {
    const current = sessions.split('\n')
    return images.filter((image, index) => {
      const tracked = current[index]
      return !tracked || image.sessionId === null || tracked === image.sessionId
    })
  }, [images, sessions])
}

/** Characters of an image name shown (its URL has it whole): a server's megabyte name stays out of the page. */
const MAX_NAME_CHARS = 200

/**
 * The gallery, fed only by the engine's exactly-once `invocationOutputReceived`: every image output the
 * server persisted appears once, whichever way it arrived (socket, reconciliation, or hydration after a
 * reload). Newest first; a click opens the full image.
 */
export function GalleryPanel() {
  const { session } = usePage()
  const images = useCurrentRunImages(useObservable(session.gallery))
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
            title={`#${image.itemId} ${clipText(image.imageName, MAX_NAME_CHARS)} (${image.via})`}
            onClick={() => setEnlarged(image.imageName)}
          >
            <img
              src={session.api.thumbnailUrl(image.imageName)}
              alt={clipText(image.imageName, MAX_NAME_CHARS)}
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
