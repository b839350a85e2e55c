package dev.tugboat.control.apiserver.resources.kinds;

/** An IPv4 service range such as {@code 10.96.0.0/12}: which addresses it holds, and the n-th of them. */
public record ServiceCidr(long base, int prefixLength) {

  public static ServiceCidr parse(String cidr) {
    String[] parts = cidr.split("/");
    if (parts.length != 2) {
      throw new IllegalArgumentException("service CIDR " + cidr + ": expected ADDRESS/PREFIX");
    }
    int prefix = Integer.parseInt(parts[1]);
    if (prefix < 8 || prefix > 30) {
      throw new IllegalArgumentException("service CIDR " + cidr + ": prefix must be between 8 and 30");
    }
    long address = toLong(parts[0]);
    if (address < 0) {
      throw new IllegalArgumentException("service CIDR " + cidr + ": not an IPv4 address");
    }
    long mask = (0xffffffffL << (32 - prefix)) & 0xffffffffL;
    return new ServiceCidr(address & mask, prefix);
  }

  public long size() {
    return 1L << (32 - prefixLength);
  }

  /** The address at {@code offset} from the network address (1 is the kubernetes service). */
  public String address(long offset) {
    long value = base + offset;
    return ((value >> 24) & 0xff) + "." + ((value >> 16) & 0xff) + "." + ((value >> 8) & 0xff) + "." + (value & 0xff);
  }

  /** Whether {@code ip} is a usable address of this range (not the network or broadcast address). */
  public boolean contains(String ip) {
    long value = toLong(ip);
    return value > base && value < base + size() - 1;
  }

  static long toLong(String ip) {
    String[] octets = ip.split("\\.", -1);
    if (octets.length != 4) {
      return -1;
    }
    long value = 0;
    for (String octet : octets) {
      try {
        int n = Integer.parseInt(octet);
        if (n < 0 || n > 255 || octet.isEmpty() || octet.length() > 3) {
          return -1;
        }
        value = value << 8 | n;
      } catch (NumberFormatException e) {
        return -1;
      }
    }
    return value;
  }

  @Override
  public String toString() {
    return address(0) + "/" + prefixLength;
  }
}
