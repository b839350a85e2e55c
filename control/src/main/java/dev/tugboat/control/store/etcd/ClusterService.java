package dev.tugboat.control.store.etcd;

import dev.tugboat.control.store.etcd.api.ClusterGrpc;
import dev.tugboat.control.store.etcd.api.Member;
import dev.tugboat.control.store.etcd.api.MemberAddRequest;
import dev.tugboat.control.store.etcd.api.MemberAddResponse;
import dev.tugboat.control.store.etcd.api.MemberListRequest;
import dev.tugboat.control.store.etcd.api.MemberListResponse;
import dev.tugboat.control.store.etcd.api.MemberPromoteRequest;
import dev.tugboat.control.store.etcd.api.MemberPromoteResponse;
import dev.tugboat.control.store.etcd.api.MemberRemoveRequest;
import dev.tugboat.control.store.etcd.api.MemberRemoveResponse;
import dev.tugboat.control.store.etcd.api.MemberUpdateRequest;
import dev.tugboat.control.store.etcd.api.MemberUpdateResponse;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** etcd's Cluster service over {@link Membership}. */
final class ClusterService extends ClusterGrpc.ClusterImplBase {

  private final Membership membership;
  private final ResponseHeaders headers;

  ClusterService(Membership membership, ResponseHeaders headers) {
    this.membership = membership;
    this.headers = headers;
  }

  @Override
  public void memberList(MemberListRequest request, StreamObserver<MemberListResponse> response) {
    KvService.reply(CompletableFuture.completedFuture(membership.members()),
        members -> MemberListResponse.newBuilder().setHeader(headers.current()).addAllMembers(toProto(members))
            .build(), response);
  }

  @Override
  public void memberAdd(MemberAddRequest request, StreamObserver<MemberAddResponse> response) {
    KvService.reply(membership.add(request.getPeerURLsList(), request.getIsLearner()),
        added -> MemberAddResponse.newBuilder().setHeader(headers.current()).setMember(toProto(added))
            .addAllMembers(toProto(membership.members())).build(), response);
  }

  @Override
  public void memberRemove(MemberRemoveRequest request, StreamObserver<MemberRemoveResponse> response) {
    KvService.reply(membership.remove(request.getID()),
        members -> MemberRemoveResponse.newBuilder().setHeader(headers.current()).addAllMembers(toProto(members))
            .build(), response);
  }

  @Override
  public void memberUpdate(MemberUpdateRequest request, StreamObserver<MemberUpdateResponse> response) {
    KvService.reply(membership.update(request.getID(), request.getPeerURLsList()),
        members -> MemberUpdateResponse.newBuilder().setHeader(headers.current()).addAllMembers(toProto(members))
            .build(), response);
  }

  @Override
  public void memberPromote(MemberPromoteRequest request, StreamObserver<MemberPromoteResponse> response) {
    KvService.reply(membership.promote(request.getID()),
        members -> MemberPromoteResponse.newBuilder().setHeader(headers.current()).addAllMembers(toProto(members))
            .build(), response);
  }

  private static List<Member> toProto(List<Membership.Member> members) {
    return members.stream().map(ClusterService::toProto).toList();
  }

  private static Member toProto(Membership.Member m) {
    return Member.newBuilder().setID(m.id()).setName(m.name()).addAllPeerURLs(m.peerUrls())
        .addAllClientURLs(m.clientUrls()).setIsLearner(m.learner()).build();
  }
}
