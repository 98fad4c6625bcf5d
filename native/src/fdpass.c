/* fd passing over Unix sockets: socketpair, sendmsg/recvmsg with SCM_RIGHTS. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>
#include <sys/socket.h>

#include "napi_util.h"
#include "sys_table.h"

/* ---- fd passing ---- */

napi_value js_socketpair(napi_env env, napi_callback_info info) {
  (void)info;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return throw_errno(env, EB_OP_SOCKETPAIR, errno);
  napi_value arr, a, b;
  napi_create_array_with_length(env, 2, &arr);
  napi_create_int32(env, sv[0], &a);
  napi_create_int32(env, sv[1], &b);
  napi_set_element(env, arr, 0, a);
  napi_set_element(env, arr, 1, b);
  return arr;
}

/* sendFd(sock, fd, payload?): the fd as SCM_RIGHTS plus up to 256 bytes of payload (at least
 * one byte goes with it: a stream or seqpacket message cannot carry only ancillary data). */
napi_value js_send_fd(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  int sock, fd;
  void *data = NULL;
  size_t len = 0;
  if (argc < 2 || !arg_int(env, argv[0], &sock) || !arg_int(env, argv[1], &fd) || (argc > 2 && !is_nullish(env, argv[2]) && !arg_bytes(env, argv[2], &data, &len)) || len > 256)
    return throw_usage(env, "sendFd(sock, fd, payload?: at most 256 bytes)");
  uint8_t zero = 0;
  struct iovec iov = {len > 0 ? data : &zero, len > 0 ? len : 1};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  memset(&u, 0, sizeof u);
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof fd);
  ssize_t n;
  do n = sendmsg(sock, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0) return throw_errno(env, EB_OP_SENDMSG, errno);
  if (eb_sys.fd_sent) eb_sys.fd_sent(fd);
  return NULL;
}

/* recvFd(sock) → {fd, data: ArrayBuffer}; blocks. EPROTO when the message carries no fd;
 * ECONNRESET at end of stream. */
napi_value js_recv_fd(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  int sock;
  if (argc < 1 || !arg_int(env, argv[0], &sock)) return throw_usage(env, "recvFd(sock): integer");
  uint8_t bytes[256];
  struct iovec iov = {bytes, sizeof bytes};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
  ssize_t n;
  do n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0) return throw_errno(env, EB_OP_RECVMSG, errno);
  if (n == 0) return throw_errno(env, EB_OP_RECVMSG, ECONNRESET);
  int fd = -1;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len >= CMSG_LEN(sizeof(int))) memcpy(&fd, CMSG_DATA(c), sizeof fd);
  }
  if (fd < 0) return throw_errno(env, EB_OP_RECVMSG, EPROTO);
  if (eb_sys.fd_received) eb_sys.fd_received(fd);
  napi_value o, ab;
  void *dst;
  napi_create_object(env, &o);
  set_num(env, o, "fd", fd);
  napi_create_arraybuffer(env, (size_t)n, &dst, &ab);
  memcpy(dst, bytes, (size_t)n);
  napi_set_named_property(env, o, "data", ab);
  return o;
}
