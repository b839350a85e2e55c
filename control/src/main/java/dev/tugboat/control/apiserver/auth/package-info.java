/**
 * Who a request comes from (client certificate issued by the cluster CA, or a bearer token from the token file) and
 * what they may do (system:masters everything, everyone else read), with kube-apiserver's messages; plus the
 * self-reviews kubectl auth whoami and can-i ask.
 */
package dev.tugboat.control.apiserver.auth;
