package dev.tugboat.nativebindings;

import java.util.Map;

/** Renders a bit set as C flag names joined by '|', for error messages; unnamed bits stay as hex. */
final class FlagNames {
  private FlagNames() {}

  static String of(long flags, Map<Long, String> names) {
    if (flags == 0) return "0";
    StringBuilder b = new StringBuilder();
    long rest = flags;
    for (Map.Entry<Long, String> e : names.entrySet()) {
      long bit = e.getKey();
      if (bit != 0 && (rest & bit) == bit) {
        if (b.length() > 0) b.append('|');
        b.append(e.getValue());
        rest &= ~bit;
      }
    }
    if (rest != 0) {
      if (b.length() > 0) b.append('|');
      b.append("0x").append(Long.toHexString(rest));
    }
    return b.toString();
  }
}
