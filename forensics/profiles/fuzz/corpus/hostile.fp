sig = *:64:0:*:*,*:mss::0
classes = win,unix
[tcp:request]
sig = *:64:0:*:*,*:mss::0
label = x:unix:Linux:2.x
label = s:beos:BeOS:5
label = s:unix:Li{nux:2.x
label = s:unix:Linux:3.x
sig = *:64:0:*:mss*10,*:mss,sok::0
sig = *:64:0:*:mss*10,*:mss,sok::
sig = *:250+10:0:*:%1,256:?300,eol+1,nop:df,zz:x
bogus line without equals
label = s:!:Tool:1
sig = *:64:0:*:*,*:mss::0
sys = @beos
sys = Linux,@unix
sig = *:64-:0:*:*,*:mss::0
[tcp:sideways]
[tcp:response]
label = s:win:Windows:XP
sig = *:128:0:*:65535,0:mss:df,id+:0
sig = 6:128:0:*:mtu*1000,14:mss,nop,ws,sok,ts,sack,?34,eol+255:df:0
4:57:0:1460:29200,7:mss,sok,ts,nop,ws:df,id+:0
