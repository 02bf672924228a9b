import fc from 'fast-check'

/**
 * A dimension of the generated cases that is on in `on` of `on + off` cases and shrinks to `offValue`:
 * the cases from before the dimension existed stay covered, and a failure that does not need it
 * shrinks without it.
 */
export function sometimes<On, Off>(
  offValue: Off,
  onArbitrary: fc.Arbitrary<On>,
  weights: { on: number; off: number },
): fc.Arbitrary<On | Off> {
  return fc.oneof(
    { withCrossShrink: true },
    { arbitrary: fc.constant(offValue), weight: weights.off },
    { arbitrary: onArbitrary, weight: weights.on },
  )
}
