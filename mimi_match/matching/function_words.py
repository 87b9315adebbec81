"""Function words of our six languages: words every text has, which say nothing about a skill.

They are left out of the word space, so that "cleaning of homes and offices" and "development of web
applications" do not look alike because both say "of" and "and". Only articles, pronouns, prepositions,
conjunctions and auxiliaries are listed (our own short lists): a content word that happens to be common in
an installation, such as the name of a trade, keeps its place, because it does tell people apart.
"""
from __future__ import annotations

from .text import normalise

_WORDS = {
    "en": """a an the and or but nor of to in on at by for with from into onto over under about as than then
        so if is are was were be been being am do does did done have has had having will would shall should can
        could may might must i me my mine we us our you your he him his she her it its they them their this that
        these those there here who whom whose which what when where why how all any each every some no not also
        very just up out off etc per via""",
    "nb": """en ei et den det de dei og eller men som av til i pa paa for med fra om ved under over etter mot
        hos mellom uten gjennom er var vaere vart har hadde blir ble bli skal skulle kan kunne vil ville ma
        matte jeg meg min mitt mine vi oss var vart vare du deg din ditt dine han ham hans hun henne hennes
        hen dens dets deres disse dette denne her der hvem hva hvor hvordan nar alle hver noen ingen ikke ogsa
        sa at enn""",
    "de": """der die das den dem des ein eine einen einem einer eines und oder aber sondern von zu zum zur im
        in an am auf aus bei mit nach uber unter vor fur ohne durch gegen um ist sind war waren sein bin bist
        hat haben hatte hatten wird werden wurde kann konnen soll sollen muss mussen will wollen darf ich mich
        mir mein meine wir uns unser du dich dir dein er ihn ihm sein seine sie ihr ihre es dies diese dieser
        dieses hier dort wer was wo wie wann alle jede jeder jedes kein keine nicht auch sehr als dass""",
    "el": """ο η το οι τα του της των τον την ενας μια ενα και η αλλα ή απο σε στο στη στην στον στα στις
        στους με για προς κατα μετα χωρις για ως ειναι ηταν εχει εχουν θα να δεν μη μην εγω εμεις εσυ εσεις
        αυτος αυτη αυτο αυτοι αυτες αυτα μου μας σου σας του της τους που ποιος τι πως οταν ολοι καθε
        επισης πολυ""",
    "ar": """في من إلى الى على عن مع و او أو ثم لكن بل هذا هذه ذلك تلك هؤلاء الذي التي الذين ما ماذا متى
        اين أين كيف كل بعض لا لم لن ليس كان كانت يكون هو هي هم هن انا أنا نحن انت أنت انتم أنتم له لها لهم
        عند بين قبل بعد حتى أن ان إن قد""",
    "uk": """і й та а але або чи що щоб як коли де хто який яка яке які це цей ця ці той та те ті в у на з із
        зі до від для по про при під над за між без через після перед є був була було були бути буде будуть
        може можуть я мене мій моя моє мої ми нас наш наша ви вас ваш ваша він його вона її воно вони їх їхній
        усі всі кожен кожна також дуже не ні""",
}

FUNCTION_WORDS: frozenset[str] = frozenset(normalise(word) for words in _WORDS.values() for word in words.split())
