package dev.tugboat.control.store.replication;

import dev.tugboat.control.store.StoreException;
import dev.tugboat.control.store.etcd.Membership.Member;
import dev.tugboat.control.store.raft.ConfChangeType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The members of a replicated store as Raft replicates them: each one's name, peer and client URLs and whether it
 * is a learner, plus the ids removed for good. Every configuration change entry carries a {@link Change}; applying
 * the changes in log order gives every member the same list, and the list travels in snapshots. Immutable: a change
 * gives a new list.
 */
public record MemberList(TreeMap<Long, Member> byId, TreeSet<Long> removed) {
  public static final MemberList EMPTY = new MemberList(new TreeMap<>(), new TreeSet<>());

  /** etcd allows one learner at a time by default (--max-learners). */
  static final int MAX_LEARNERS = 1;

  public enum Kind {
    ADD_MEMBER, ADD_LEARNER, PROMOTE, REMOVE, UPDATE_PEER_URLS, PUBLISH;

    /** The Raft configuration change that carries a change of this kind. */
    public ConfChangeType confChangeType() {
      return switch (this) {
        case ADD_MEMBER, PROMOTE -> ConfChangeType.ADD_VOTER;
        case ADD_LEARNER -> ConfChangeType.ADD_LEARNER;
        case REMOVE -> ConfChangeType.REMOVE_NODE;
        case UPDATE_PEER_URLS, PUBLISH -> ConfChangeType.UPDATE_NODE;
      };
    }
  }

  /**
   * One change of the list; null attributes are left as they are.
   *
   * @param name       the member's name (PUBLISH; "" until a new member starts and publishes it)
   * @param peerUrls   its peer URLs (ADD_*, UPDATE_PEER_URLS)
   * @param clientUrls its client URLs (PUBLISH)
   */
  public record Change(Kind kind, long id, String name, List<String> peerUrls, List<String> clientUrls) {}

  public MemberList {
    byId = new TreeMap<>(byId);
    removed = new TreeSet<>(removed);
  }

  /** The first members of a new cluster, all voters. */
  public static Change initialMember(long id, String name, List<String> peerUrls) {
    return new Change(Kind.ADD_MEMBER, id, name, List.copyOf(peerUrls), List.of());
  }

  public List<Member> members() {
    return List.copyOf(byId.values());
  }

  public Member get(long id) {
    return byId.get(id);
  }

  public boolean contains(long id) {
    return byId.containsKey(id);
  }

  public List<Long> voters() {
    return byId.values().stream().filter(m -> !m.learner()).map(Member::id).toList();
  }

  /**
   * Why {@code change} cannot be made to this list (etcd's error), or null. What the list alone decides; whether
   * enough members run and whether a learner caught up is for the member that proposes it.
   */
  public StoreException refusal(Change change) {
    Member existing = byId.get(change.id());
    return switch (change.kind()) {
      case ADD_MEMBER, ADD_LEARNER -> {
        if (peerUrlsTaken(change.peerUrls(), 0)) {
          yield new StoreException(StoreException.Code.PEER_URL_EXISTS, "Peer URLs already exists");
        }
        if (existing != null) {
          yield new StoreException(StoreException.Code.MEMBER_EXISTS, "member ID already exist");
        }
        if (removed.contains(change.id())) {
          yield new StoreException(StoreException.Code.MEMBER_EXISTS, "member add: id " + Long.toHexString(change.id())
              + " (from " + change.peerUrls() + ") was removed from this cluster and cannot come back");
        }
        if (change.kind() == Kind.ADD_LEARNER
            && byId.values().stream().filter(Member::learner).count() >= MAX_LEARNERS) {
          yield new StoreException(StoreException.Code.TOO_MANY_LEARNERS, "too many learner members in cluster");
        }
        yield null;
      }
      case PROMOTE -> existing == null ? notFound()
          : !existing.learner() ? new StoreException(StoreException.Code.MEMBER_NOT_LEARNER,
              "can only promote a learner member") : null;
      case REMOVE -> existing == null ? notFound() : null;
      case UPDATE_PEER_URLS -> existing == null ? notFound()
          : peerUrlsTaken(change.peerUrls(), change.id())
              ? new StoreException(StoreException.Code.PEER_URL_EXISTS, "Peer URLs already exists") : null;
      case PUBLISH -> existing == null ? notFound() : null;
    };
  }

  private static StoreException notFound() {
    return new StoreException(StoreException.Code.MEMBER_NOT_FOUND, "member not found");
  }

  private boolean peerUrlsTaken(List<String> urls, long except) {
    Set<String> wanted = new HashSet<>(urls);
    for (Member m : byId.values()) {
      if (m.id() != except && !Collections.disjoint(wanted, m.peerUrls())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The list after {@code change}, applied as the Raft core applies its configuration change, so that the two always
   * agree: adding a voter that is a learner promotes it, adding a learner that votes changes nothing.
   */
  public MemberList apply(Change change) {
    TreeMap<Long, Member> next = new TreeMap<>(byId);
    TreeSet<Long> gone = removed;
    Member m = byId.get(change.id());
    switch (change.kind()) {
      case ADD_MEMBER, PROMOTE -> next.put(change.id(), m != null
          ? new Member(m.id(), m.name(), m.peerUrls(), m.clientUrls(), false)
          : new Member(change.id(), orEmpty(change.name()), orNone(change.peerUrls()), orNone(change.clientUrls()),
              false));
      case ADD_LEARNER -> {
        if (m == null) {
          next.put(change.id(), new Member(change.id(), orEmpty(change.name()), orNone(change.peerUrls()),
              orNone(change.clientUrls()), true));
        }
      }
      case REMOVE -> {
        next.remove(change.id());
        gone = new TreeSet<>(removed);
        gone.add(change.id());
      }
      case UPDATE_PEER_URLS, PUBLISH -> {
        if (m != null) {
          next.put(m.id(), new Member(m.id(), change.name() != null ? change.name() : m.name(),
              change.peerUrls() != null ? List.copyOf(change.peerUrls()) : m.peerUrls(),
              change.clientUrls() != null ? List.copyOf(change.clientUrls()) : m.clientUrls(), m.learner()));
        }
      }
    }
    return new MemberList(next, gone);
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private static List<String> orNone(List<String> l) {
    return l == null ? List.of() : List.copyOf(l);
  }

  // ---------------------------------------------------------------- encodings

  /** A change as it travels in a configuration change entry: who proposed it, under which request id, and what. */
  public static byte[] encodeChange(long proposer, long requestId, Change change) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeLong(proposer);
      out.writeLong(requestId);
      out.writeByte(change.kind().ordinal());
      writeString(out, change.name());
      writeStrings(out, change.peerUrls());
      writeStrings(out, change.clientUrls());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** What {@link #encodeChange} wrote, for a change of node {@code id}. */
  public record ProposedChange(long proposer, long requestId, Change change) {}

  public static ProposedChange decodeChange(long id, byte[] context) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(context))) {
      long proposer = in.readLong();
      long requestId = in.readLong();
      int kind = in.readUnsignedByte();
      if (kind >= Kind.values().length) {
        throw new IOException("unknown change kind " + kind);
      }
      return new ProposedChange(proposer, requestId,
          new Change(Kind.values()[kind], id, readString(in), readStrings(in), readStrings(in)));
    } catch (IOException e) {
      throw new IllegalArgumentException("member change of " + Long.toHexString(id) + ": " + e.getMessage(), e);
    }
  }

  public byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(byId.size());
      for (Member m : byId.values()) {
        out.writeLong(m.id());
        writeString(out, m.name());
        writeStrings(out, m.peerUrls());
        writeStrings(out, m.clientUrls());
        out.writeBoolean(m.learner());
      }
      out.writeInt(removed.size());
      for (long id : removed) {
        out.writeLong(id);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static MemberList decode(byte[] data) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
    TreeMap<Long, Member> members = new TreeMap<>();
    int count = in.readInt();
    for (int i = 0; i < count; i++) {
      long id = in.readLong();
      members.put(id, new Member(id, readString(in), readStrings(in), readStrings(in), in.readBoolean()));
    }
    TreeSet<Long> removed = new TreeSet<>();
    int removedCount = in.readInt();
    for (int i = 0; i < removedCount; i++) {
      removed.add(in.readLong());
    }
    return new MemberList(members, removed);
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    out.writeBoolean(s != null);
    if (s != null) {
      out.writeUTF(s);
    }
  }

  private static String readString(DataInputStream in) throws IOException {
    return in.readBoolean() ? in.readUTF() : null;
  }

  private static void writeStrings(DataOutputStream out, List<String> list) throws IOException {
    out.writeInt(list == null ? -1 : list.size());
    if (list != null) {
      for (String s : list) {
        out.writeUTF(s);
      }
    }
  }

  private static List<String> readStrings(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    List<String> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      list.add(in.readUTF());
    }
    return List.copyOf(list);
  }
}
