package dev.tugboat.control.store.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.store.StoreException;
import dev.tugboat.control.store.etcd.Membership.Member;
import dev.tugboat.control.store.replication.MemberList.Change;
import dev.tugboat.control.store.replication.MemberList.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemberListTest {
  private static final String A = "http://10.0.0.1:2380";
  private static final String B = "http://10.0.0.2:2380";
  private static final String C = "http://10.0.0.3:2380";

  private static MemberList twoVoters() {
    return MemberList.EMPTY.apply(MemberList.initialMember(1, "a", List.of(A)))
        .apply(MemberList.initialMember(2, "b", List.of(B)));
  }

  private static Change change(Kind kind, long id, List<String> peerUrls) {
    return new Change(kind, id, kind == Kind.ADD_MEMBER || kind == Kind.ADD_LEARNER ? "" : null, peerUrls, null);
  }

  @Test
  void aLearnerIsAddedUnnamedPublishesItselfAndIsPromoted() {
    MemberList list = twoVoters().apply(change(Kind.ADD_LEARNER, 3, List.of(C)));
    assertThat(list.get(3)).isEqualTo(new Member(3, "", List.of(C), List.of(), true));
    assertThat(list.voters()).containsExactly(1L, 2L);
    list = list.apply(new Change(Kind.PUBLISH, 3, "c", null, List.of("http://10.0.0.3:2379")));
    assertThat(list.get(3)).isEqualTo(new Member(3, "c", List.of(C), List.of("http://10.0.0.3:2379"), true));
    list = list.apply(change(Kind.PROMOTE, 3, null));
    assertThat(list.get(3).learner()).isFalse();
    assertThat(list.voters()).containsExactly(1L, 2L, 3L);
  }

  @Test
  void removedMembersLeaveTheListAndCannotComeBack() {
    MemberList list = twoVoters().apply(change(Kind.REMOVE, 2, null));
    assertThat(list.members()).extracting(Member::id).containsExactly(1L);
    assertThat(list.removed()).containsExactly(2L);
    assertThat(list.refusal(change(Kind.ADD_MEMBER, 2, List.of(B))).code())
        .isEqualTo(StoreException.Code.MEMBER_EXISTS);
  }

  @Test
  void refusalsAreEtcdsAndTheListIsUnchangedByAsking() {
    MemberList list = twoVoters().apply(change(Kind.ADD_LEARNER, 3, List.of(C)));
    assertThat(list.refusal(change(Kind.REMOVE, 9, null)).code()).isEqualTo(StoreException.Code.MEMBER_NOT_FOUND);
    assertThat(list.refusal(change(Kind.UPDATE_PEER_URLS, 9, List.of("http://x:1")))).hasMessage("member not found");
    assertThat(list.refusal(change(Kind.ADD_MEMBER, 4, List.of(B))).code())
        .isEqualTo(StoreException.Code.PEER_URL_EXISTS);
    assertThat(list.refusal(change(Kind.UPDATE_PEER_URLS, 1, List.of(B))).code())
        .isEqualTo(StoreException.Code.PEER_URL_EXISTS);
    assertThat(list.refusal(change(Kind.UPDATE_PEER_URLS, 2, List.of(B)))).isNull(); // its own URLs again
    assertThat(list.refusal(change(Kind.PROMOTE, 1, null)).code()).isEqualTo(StoreException.Code.MEMBER_NOT_LEARNER);
    assertThat(list.refusal(change(Kind.PROMOTE, 3, null))).isNull();
    assertThat(list.refusal(change(Kind.ADD_LEARNER, 4, List.of("http://10.0.0.4:2380"))).code())
        .isEqualTo(StoreException.Code.TOO_MANY_LEARNERS);
    assertThat(list.refusal(change(Kind.ADD_MEMBER, 4, List.of("http://10.0.0.4:2380")))).isNull();
    assertThat(list.refusal(change(Kind.ADD_MEMBER, 3, List.of("http://10.0.0.9:2380"))).code())
        .isEqualTo(StoreException.Code.MEMBER_EXISTS);
  }

  @Test
  void changesFollowTheRaftConfigurationEvenWhereTheyCouldBeRefused() {
    // the core applies ADD_LEARNER of a voter as nothing; the list must agree, whoever proposed it
    MemberList list = twoVoters().apply(change(Kind.ADD_LEARNER, 2, List.of(C)));
    assertThat(list).isEqualTo(twoVoters());
    assertThat(twoVoters().apply(change(Kind.REMOVE, 9, null)).members()).isEqualTo(twoVoters().members());
  }

  @Test
  void theListAndItsChangesRoundTripThroughTheirEncodings() throws Exception {
    MemberList list = twoVoters().apply(change(Kind.ADD_LEARNER, 3, List.of(C, "http://[::1]:2380")))
        .apply(change(Kind.REMOVE, 1, null))
        .apply(new Change(Kind.PUBLISH, 2, "b-é", null, List.of("http://10.0.0.2:2379")));
    assertThat(MemberList.decode(list.encode())).isEqualTo(list);
    Change publish = new Change(Kind.PUBLISH, 7, "n", null, List.of("u"));
    MemberList.ProposedChange decoded = MemberList.decodeChange(7, MemberList.encodeChange(5, 6, publish));
    assertThat(decoded).isEqualTo(new MemberList.ProposedChange(5, 6, publish));
  }

  @Test
  void peerUrlsOfAnAddedMemberAreCheckedAsEtcdChecksThem() {
    assertThat(ClusterMembership.badUrls(List.of("http://127.0.0.1:2380", "https://host:1"))).isNull();
    for (List<String> bad : List.of(List.<String>of(), List.of("http://127.0.0.1"), List.of("ftp://h:1"),
        List.of("http://h:1/path"), List.of("no url"), List.of("http://h:1", "h:2"))) {
      assertThat(ClusterMembership.badUrls(bad)).as("%s", bad).isNotNull()
          .hasMessage("given member URLs are invalid");
    }
  }
}
