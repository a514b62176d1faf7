// The guest half of PctSessionRunner: a small Perl program run once per deploy with
// `pct exec <vmid> -- perl -e <this>`, which then runs any number of commands in the CT, each
// with its own stdin, stdout, stderr, environment and exit status, multiplexed over the one
// pct process's stdin and stdout. Real `pct` is a Perl program that costs 0.3–0.6 s to start on
// a real host, so one session instead of a `pct exec` per command saves that per command.
// Perl because perl-base is Essential in Debian and Ubuntu (every CT template Pylon uses has
// it) and it can fork, exec argv without a shell, and select() over pipes; only modules from
// perl-base are used. Where perl is missing the runner falls back to one `pct exec` per command.
//
// Frames both ways: [type u8][id u32 BE][length u32 BE][payload].
//   agent → CT: 1 start (payload: argc NUL envc NUL argv… NUL NAME=VALUE…), 2 stdin data,
//               3 stdin end, 4 kill (SIGKILL to the command's process group)
//   CT → agent: 9 ready (id 0, payload "pylon-session 1"), 1 stdout data, 2 stderr data,
//               3 exit (payload: the exit code; 128+N after signal N; 127 if argv[0] is not found)
// A command's exit frame comes after all of its output. EOF on stdin ends the session and kills
// what still runs.

/** The session program (perl -e). */
export const SESSION_SCRIPT = String.raw`
use strict; use warnings; use POSIX (); use IO::Select; use Fcntl;
$SIG{PIPE} = 'IGNORE'; binmode STDIN; binmode STDOUT; $| = 1;
my $rsel = IO::Select->new(\*STDIN); my $wsel = IO::Select->new();
my (%jobs, %pipes); my $buf = '';
sub out { my ($t, $id, $d) = @_; $d = '' unless defined $d;
  my $f = pack('CNN', $t, $id, length $d) . $d; my $o = 0;
  while ($o < length $f) { my $w = syswrite(STDOUT, $f, length($f) - $o, $o);
    if (!defined $w) { next if $!{EINTR} || $!{EAGAIN}; exit 0 } $o += $w } }
sub start { my ($id, $p) = @_; my @w = split /\0/, $p, -1; my $argc = shift @w; my $envc = shift @w;
  my @argv = splice(@w, 0, $argc); my @env = splice(@w, 0, $envc);
  pipe(my $ir, my $iw) or die; pipe(my $or, my $ow) or die; pipe(my $er, my $ew) or die;
  my $pid = fork; die "fork: $!" unless defined $pid;
  if (!$pid) { setpgrp(0, 0); open(STDIN, '<&', $ir); open(STDOUT, '>&', $ow); open(STDERR, '>&', $ew);
    $SIG{PIPE} = 'DEFAULT'; for (@env) { my ($k, $v) = split /=/, $_, 2; $ENV{$k} = $v }
    { no warnings; exec { $argv[0] } @argv }
    print STDERR "$argv[0]: command not found\n"; POSIX::_exit(127) }
  setpgrp($pid, $pid); close $ir; close $ow; close $ew;
  fcntl($iw, F_SETFL, fcntl($iw, F_GETFL, 0) | O_NONBLOCK);
  $jobs{$id} = { pid => $pid, in => $iw, inbuf => '', open => 2 };
  for ([$or, 1], [$er, 2]) { $pipes{fileno $_->[0]} = [$id, $_->[1], $_->[0]]; $rsel->add($_->[0]) } }
sub feed { my ($j) = @_; return unless $j->{in};
  while (length $j->{inbuf}) { my $w = syswrite($j->{in}, $j->{inbuf});
    if (!defined $w) { if ($!{EAGAIN}) { $wsel->add($j->{in}); return } $j->{inbuf} = ''; last }
    substr($j->{inbuf}, 0, $w) = '' }
  $wsel->remove($j->{in}); if ($j->{ineof}) { close $j->{in}; $j->{in} = undef } }
sub request { my ($t, $id, $p) = @_; my $j = $jobs{$id};
  if ($t == 1) { start($id, $p) }
  elsif ($t == 2 && $j) { $j->{inbuf} .= $p; feed($j) }
  elsif ($t == 3 && $j) { $j->{ineof} = 1; feed($j) }
  elsif ($t == 4 && $j) { kill 'KILL', -$j->{pid} } }
out(9, 0, 'pylon-session 1');
while (1) {
  my ($r, $w) = IO::Select->select($rsel, $wsel->count ? $wsel : undef, undef, 0.1);
  for my $fh (@{ $r || [] }) {
    if (fileno($fh) == fileno(STDIN)) { my $n = sysread(STDIN, my $d, 65536);
      if (!$n) { next if !defined $n && $!{EINTR}; kill 'KILL', -$_->{pid} for values %jobs; exit 0 }
      $buf .= $d;
      while (length($buf) >= 9) { my ($t, $id, $len) = unpack('CNN', $buf); last if length($buf) < 9 + $len;
        my $p = substr($buf, 9, $len); substr($buf, 0, 9 + $len) = ''; request($t, $id, $p) }
      next }
    my $pi = $pipes{fileno $fh}; my $n = sysread($fh, my $d, 65536);
    if ($n) { out($pi->[1], $pi->[0], $d) }
    elsif (!defined $n && $!{EINTR}) { }
    else { $rsel->remove($fh); delete $pipes{fileno $fh}; close $fh; $jobs{$pi->[0]}{open}-- } }
  for my $fh (@{ $w || [] }) { for my $j (values %jobs) { feed($j) if $j->{in} && $j->{in} == $fh } }
  while ((my $pid = waitpid(-1, POSIX::WNOHANG())) > 0) {
    for my $j (values %jobs) { $j->{status} = $? if $j->{pid} == $pid } }
  for my $id (keys %jobs) { my $j = $jobs{$id}; next unless defined $j->{status} && $j->{open} <= 0;
    my $s = $j->{status}; my $code = ($s & 127) ? 128 + ($s & 127) : $s >> 8;
    if ($j->{in}) { $wsel->remove($j->{in}); close $j->{in} }
    out(3, $id + 0, $code); delete $jobs{$id} } }
`;
