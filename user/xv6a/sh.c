// sh: xv6a's shell. A line is parsed into a tree of commands, then run:
//   list:  pipeline { ; pipeline | & }      (& runs it without waiting)
//   pipeline: redir { | redir }
//   redir: ( list ) | words, with < file and > file anywhere among the words
// `cd dir` is done by the shell itself (a child's cd would be lost).
#include "types.h"
#include "fcntl.h"
#include "user.h"

#define MAXWORDS 16

enum { EXEC, REDIR, PIPE, LIST, BACK };

struct cmd {
  int type;
  char *argv[MAXWORDS + 1];      // EXEC
  struct cmd *left, *right;      // PIPE, LIST; left for REDIR and BACK
  char *file;                    // REDIR
  int mode, fd;
};

static char *s;                  // parse position in the line

static void
panic(const char *m)
{
  printf(2, "sh: %s\n", m);
  exit();
}

static struct cmd*
newcmd(int type)
{
  struct cmd *c = malloc(sizeof(*c));
  if (c == 0)
    panic("out of memory");
  memset(c, 0, sizeof(*c));
  c->type = type;
  return c;
}

static int
peek(const char *toks)
{
  while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
    s++;
  return *s && strchr(toks, *s);
}

static char*
word(void)
{
  peek("");
  char *start = s;
  while (*s && !strchr(" \t\r\n<>|&;()", *s))
    s++;
  if (s == start)
    return 0;
  char *w = malloc(s - start + 1);
  memmove(w, start, s - start);
  w[s - start] = 0;
  return w;
}

static struct cmd *parselist(void);

static struct cmd*
parseredir(void)
{
  struct cmd *c;
  if (peek("(")) {
    s++;
    c = parselist();
    if (!peek(")"))
      panic("missing )");
    s++;
  } else {
    c = newcmd(EXEC);
    int n = 0;
    for (;;) {
      if (peek("<>")) {
        int out = *s++ == '>';
        char *f = word();
        if (f == 0)
          panic("missing file name after < or >");
        struct cmd *r = newcmd(REDIR);
        r->left = c;
        r->file = f;
        r->mode = out ? O_WRONLY | O_CREATE : O_RDONLY;
        r->fd = out;
        c = r;
        continue;
      }
      char *w = word();
      if (w == 0)
        break;
      struct cmd *e = c;
      while (e->type == REDIR)
        e = e->left;
      if (n < MAXWORDS)
        e->argv[n++] = w;
    }
  }
  return c;
}

static struct cmd*
parsepipe(void)
{
  struct cmd *c = parseredir();
  if (peek("|")) {
    s++;
    struct cmd *p = newcmd(PIPE);
    p->left = c;
    p->right = parsepipe();
    c = p;
  }
  return c;
}

static struct cmd*
parselist(void)
{
  struct cmd *c = parsepipe();
  if (peek("&")) {
    s++;
    struct cmd *b = newcmd(BACK);
    b->left = c;
    c = b;
  }
  if (peek(";") || (c->type == BACK && *s && !peek(")"))) {
    if (*s == ';')
      s++;
    if (!peek(")") && *s) {
      struct cmd *l = newcmd(LIST);
      l->left = c;
      l->right = parselist();
      c = l;
    }
  }
  return c;
}

static int
forkornot(void)
{
  int pid = fork();
  if (pid < 0)
    panic("fork failed");
  return pid;
}

// Run c in this process (which it may replace); never returns.
static void
run(struct cmd *c)
{
  int p[2];
  switch (c->type) {
  case EXEC:
    if (c->argv[0] == 0)
      exit();
    exec(c->argv[0], c->argv);
    printf(2, "exec %s failed\n", c->argv[0]);
    break;
  case REDIR:
    close(c->fd);
    if (open(c->file, c->mode) < 0) {
      printf(2, "open %s failed\n", c->file);
      exit();
    }
    run(c->left);
    break;
  case LIST:
    if (forkornot() == 0)
      run(c->left);
    wait();
    run(c->right);
    break;
  case PIPE:
    if (pipe(p) < 0)
      panic("pipe failed");
    if (forkornot() == 0) {
      close(1);
      dup(p[1]);
      close(p[0]);
      close(p[1]);
      run(c->left);
    }
    if (forkornot() == 0) {
      close(0);
      dup(p[0]);
      close(p[0]);
      close(p[1]);
      run(c->right);
    }
    close(p[0]);
    close(p[1]);
    wait();
    wait();
    break;
  case BACK:
    if (forkornot() == 0)
      run(c->left);
    break;
  }
  exit();
}

int
main(void)
{
  static char line[128];
  for (;;) {
    printf(2, "$ ");
    memset(line, 0, sizeof(line));
    gets(line, sizeof(line));
    if (line[0] == 0)
      exit();                    // end of input
    if (line[0] == 'c' && line[1] == 'd' && (line[2] == ' ' || line[2] == '\n')) {
      line[strlen(line) - 1] = 0;
      if (chdir(line + 3) < 0)
        printf(2, "cannot cd %s\n", line + 3);
      continue;
    }
    s = line;
    struct cmd *c = parselist();
    if (peek("")) {
      printf(2, "sh: syntax error near '%s'\n", s);
      continue;
    }
    if (forkornot() == 0)
      run(c);
    wait();
  }
}
