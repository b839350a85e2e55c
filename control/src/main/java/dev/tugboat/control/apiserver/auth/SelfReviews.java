package dev.tugboat.control.apiserver.auth;

import dev.tugboat.control.apiserver.ApiRequest;
import dev.tugboat.control.apiserver.ApiResponse;
import dev.tugboat.control.apiserver.ResourceInfo;
import dev.tugboat.control.apiserver.UserInfo;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The two questions any user may ask about themselves, answered by the authenticator and authorizer rather than
 * stored: SelfSubjectReview ({@code kubectl auth whoami}) and SelfSubjectAccessReview ({@code kubectl auth can-i}).
 */
public final class SelfReviews {

  public static final ResourceInfo SELF_SUBJECT_REVIEWS = new ResourceInfo("authentication.k8s.io", "v1",
      "selfsubjectreviews", "selfsubjectreview", "SelfSubjectReview", false, List.of("create"), List.of(), List.of(),
      List.of());
  public static final ResourceInfo SELF_SUBJECT_ACCESS_REVIEWS = new ResourceInfo("authorization.k8s.io", "v1",
      "selfsubjectaccessreviews", "selfsubjectaccessreview", "SelfSubjectAccessReview", false, List.of("create"),
      List.of(), List.of(), List.of());
  public static final List<ResourceInfo> RESOURCES = List.of(SELF_SUBJECT_REVIEWS, SELF_SUBJECT_ACCESS_REVIEWS);

  private static final JsonMapper JSON = JsonMapper.shared();
  private final Authorizer authorizer;

  public SelfReviews(Authorizer authorizer) {
    this.authorizer = authorizer;
  }

  public static boolean serves(ResourceInfo info) {
    return RESOURCES.contains(info);
  }

  /** Answers a create of either review; null body fields read as empty, as kube-apiserver reads them. */
  public ApiResponse create(ApiRequest request) {
    JsonNode body;
    try {
      body = request.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(request.body());
    } catch (JacksonException e) {
      return badRequest("the request body is not JSON: " + e.getOriginalMessage());
    }
    ObjectNode review = JSON.createObjectNode();
    ResourceInfo info = request.resource().equals(SELF_SUBJECT_REVIEWS.resource()) ? SELF_SUBJECT_REVIEWS
        : SELF_SUBJECT_ACCESS_REVIEWS;
    review.put("kind", info.kind());
    review.put("apiVersion", info.group() + "/" + info.version());
    review.putObject("metadata");
    UserInfo user = request.user();
    if (info == SELF_SUBJECT_REVIEWS) {
      ObjectNode userInfo = review.putObject("status").putObject("userInfo");
      userInfo.put("username", user.name());
      user.groups().forEach(userInfo.putArray("groups")::add);
    } else {
      JsonNode spec = body.path("spec");
      review.set("spec", spec.isObject() ? spec : JSON.createObjectNode());
      JsonNode attributes = spec.has("resourceAttributes") ? spec.path("resourceAttributes")
          : spec.path("nonResourceAttributes");
      String verb = attributes.path("verb").asString("");
      Authorizer.Decision decision;
      if (spec.has("resourceAttributes")) {
        String namespace = attributes.path("namespace").asString("");
        String name = attributes.path("name").asString("");
        String subresource = attributes.path("subresource").asString("");
        decision = authorizer.authorize(new ApiRequest(verb, attributes.path("group").asString(""),
            attributes.path("version").asString(""), attributes.path("resource").asString(""),
            subresource.isEmpty() ? null : subresource, namespace.isEmpty() ? null : namespace,
            name.isEmpty() ? null : name, java.util.Map.of(), null, null, new byte[0], user));
      } else {
        decision = authorizer.allows(user, verb) ? Authorizer.Decision.ALLOW : new Authorizer.Decision(false, null);
      }
      ObjectNode status = review.putObject("status");
      status.put("allowed", decision.allowed());
      if (decision.allowed()) {
        status.put("reason", user.groups().contains(Authorizer.MASTERS_GROUP) ? "member of " + Authorizer.MASTERS_GROUP
            : NodeAuthorizer.nodeName(user) != null ? "allowed by the node authorizer"
            : "every authenticated user may read");
      } else if (decision.reason() != null) {
        status.put("reason", decision.reason());
      }
    }
    return new ApiResponse(201, "application/json", JSON.writeValueAsBytes(review));
  }

  private static ApiResponse badRequest(String message) {
    ObjectNode status = JSON.createObjectNode();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Failure");
    status.put("message", message);
    status.put("reason", "BadRequest");
    status.put("code", 400);
    return new ApiResponse(400, "application/json", JSON.writeValueAsBytes(status));
  }
}
