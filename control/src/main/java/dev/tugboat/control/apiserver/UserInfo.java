package dev.tugboat.control.apiserver;

import java.util.List;

/** An authenticated user, as Kubernetes' user.Info: {@code system:masters} in groups grants every right. */
public record UserInfo(String name, List<String> groups) {}
