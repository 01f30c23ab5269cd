package io.usmp.session;

/**
 * The 64-frame sliding replay window of SPEC §5, keyed on the highest authenticated seq. A frame
 * is first {@link #check checked} (before decrypting) and the window is {@link #accept updated}
 * only after its AEAD tag verified, so a forged frame cannot move it.
 */
public final class ReplayWindow {
    public static final int SIZE = 64;

    /** What {@link #check} says about a seq. */
    public enum Verdict {
        /** Not seen yet and inside (or ahead of) the window: decrypt it. */
        NEW,
        /** Inside the window and already accepted: a duplicate (re-acknowledge, do not process). */
        SEEN,
        /** More than 63 behind the highest accepted seq: drop. */
        TOO_OLD
    }

    /** Highest accepted seq, or -1 before the first. */
    private long highest = -1;
    /** Bit i set: seq {@code highest - i} was accepted. */
    private long bitmap;

    public Verdict check(long seq) {
        if (highest < 0 || seq > highest) {
            return Verdict.NEW;
        }
        long behind = highest - seq;
        if (behind >= SIZE) {
            return Verdict.TOO_OLD;
        }
        return (bitmap & (1L << behind)) != 0 ? Verdict.SEEN : Verdict.NEW;
    }

    /** Records an authenticated seq; call only after {@link #check} said {@link Verdict#NEW}. */
    public void accept(long seq) {
        if (highest < 0) {
            highest = seq;
            bitmap = 1;
        } else if (seq > highest) {
            long shift = seq - highest;
            bitmap = shift >= SIZE ? 1 : (bitmap << shift) | 1;
            highest = seq;
        } else {
            long behind = highest - seq;
            if (behind < SIZE) {
                bitmap |= 1L << behind;
            }
        }
    }

    /** The highest accepted seq, or -1. */
    public long highest() {
        return highest;
    }
}
